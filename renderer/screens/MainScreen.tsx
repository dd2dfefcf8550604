import { useState } from 'react';
import type { IdentityStatus, SealcallBridge } from '../../shared/ipc';
import { ConnectionBanner } from '../components/ConnectionStatus';
import { EmptyPane } from '../components/EmptyPane';
import { NoticeBar } from '../components/NoticeBar';
import { TopBar } from '../components/TopBar';
import { useCallEngine } from '../hooks/call-engine-context';
import { useCallView, useConnection, useContacts, useSettings } from '../hooks/host-values';
import { useBridgeEvent } from '../hooks/use-bridge-event';
import { useEngineState } from '../hooks/use-engine-state';
import { ContactDetail } from './ContactDetail';
import { ContactList } from './ContactList';
import { InCall } from './InCall';
import { IncomingCall } from './IncomingCall';
import { KeyChangedGate } from './KeyChangedGate';
import { SafetyNumber } from './SafetyNumber';
import { useCallFlow } from './use-call-flow';

type ReadyIdentity = Extract<IdentityStatus, { state: 'ready' }>;

/** The app once this computer is enrolled and unlocked: contacts on the left, the chosen one on the right, calls over both. */
export function MainScreen({ bridge, identity }: { bridge: SealcallBridge; identity: ReadyIdentity }) {
  const engine = useCallEngine();
  const engineState = useEngineState(engine);
  const connection = useConnection(bridge);
  const contactsValue = useContacts(bridge);
  const callValue = useCallView(bridge);
  const settings = useSettings(bridge);
  const flow = useCallFlow(bridge, engine, callValue.status === 'ready' ? callValue.value : null);

  const [query, setQuery] = useState('');
  const [selection, setSelection] = useState<{ id: string; view: 'detail' | 'safety' } | null>(null);
  const [linkNotice, setLinkNotice] = useState<string | null>(null);

  const contacts = contactsValue.status === 'ready' ? contactsValue.value : [];
  const online = connection.status === 'ready' && connection.value.state === 'online';
  const selected = selection === null ? undefined : contacts.find((contact) => contact.id === selection.id);
  const ringtone = settings.status === 'ready' ? settings.value.values.ringtone : true;

  const blockedBecause = (): string | undefined => {
    if (flow.noEngineReason !== undefined) return flow.noEngineReason;
    if (!online) return "You're offline: calls can be placed once Sealcall reconnects.";
    if (flow.inCall) return "You're already in a call.";
    return undefined;
  };

  // A sealcall:// link clicked elsewhere. A call link only opens the contact: a link from a mail
  // or a web page must not place a call (or turn a camera on) by itself.
  useBridgeEvent(bridge, 'app.deepLink', ({ link }) => {
    const callTarget = /^sealcall:\/\/call\/([^/?#]+)$/iu.exec(link)?.[1];
    if (callTarget === undefined) {
      setLinkNotice('This computer is already set up for Sealcall; enrollment links are for setting up a new one.');
      return;
    }
    const id = decodeURIComponent(callTarget);
    if (contacts.some((contact) => contact.id === id)) {
      setSelection({ id, view: 'detail' });
      setQuery('');
    } else {
      setLinkNotice(`The link is for ${id}, who is not in your contacts.`);
    }
  });

  const notice = flow.notice ?? (linkNotice === null ? null : { text: linkNotice, tone: 'info' as const });

  return (
    <div className="shell">
      <TopBar identity={identity} connection={connection.status === 'ready' ? connection.value : null} />
      {connection.status === 'ready' && <ConnectionBanner connection={connection.value} serverUrl={identity.serverUrl} />}
      {notice !== null && (
        <NoticeBar
          text={notice.text}
          tone={notice.tone}
          onDismiss={() => {
            flow.dismissNotice();
            setLinkNotice(null);
          }}
        />
      )}
      {flow.shown !== null ? (
        <main className="workspace workspace-call">
          <InCall
            bridge={bridge}
            call={flow.shown}
            contact={contacts.find((contact) => contact.id === flow.shown?.peerId)}
            engine={engineState}
            onHangUp={flow.hangUp}
            onMuted={(muted) => engine?.setMuted(muted)}
            onCameraOff={(off) => engine?.setCameraOff(off)}
            onClose={flow.closeEnded}
          />
        </main>
      ) : (
        <main className="workspace">
          <ContactList
            contacts={contacts}
            query={query}
            onQueryChange={setQuery}
            selectedId={selection?.id ?? null}
            onSelect={(contact) => {
              setSelection({ id: contact.id, view: 'detail' });
            }}
            onCall={flow.call}
            availability={{ blockedBecause }}
          />
          <div className="pane">
            {contactsValue.status === 'failed' ? (
              <p className="notice notice-danger pane-content" role="alert">
                The contact list could not be loaded: {contactsValue.message}
              </p>
            ) : selected === undefined ? (
              <EmptyPane hasContacts={contacts.length > 0} />
            ) : selection?.view === 'safety' ? (
              <SafetyNumber
                bridge={bridge}
                contact={selected}
                onBack={() => {
                  setSelection({ id: selected.id, view: 'detail' });
                }}
              />
            ) : (
              <ContactDetail
                contact={selected}
                blockedBecause={blockedBecause()}
                onCall={(media) => {
                  flow.call(selected, media);
                }}
                onShowSafetyNumber={() => {
                  setSelection({ id: selected.id, view: 'safety' });
                }}
              />
            )}
          </div>
        </main>
      )}
      {flow.gate !== null && (
        <KeyChangedGate bridge={bridge} contact={flow.gate.contact} onCancel={flow.cancelGate} onCallAnyway={flow.callAnyway} />
      )}
      {flow.incoming !== null && (
        <IncomingCall
          key={flow.incoming.callId}
          call={flow.incoming}
          ringtone={ringtone}
          cannotAnswerBecause={flow.noEngineReason}
          onAccept={flow.accept}
          onDecline={flow.decline}
        />
      )}
    </div>
  );
}
