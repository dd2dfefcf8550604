import { useCallback, useState } from 'react';
import type { IdentityStatus, SealcallBridge } from '../../shared/ipc';
import { ConnectionBanner } from '../components/ConnectionStatus';
import { EmptyPane } from '../components/EmptyPane';
import { NoticeBar } from '../components/NoticeBar';
import { PinsLostBanner } from '../components/PinsLostBanner';
import { TopBar } from '../components/TopBar';
import { useCallEngine } from '../hooks/call-engine-context';
import { useCallView, useConnection, useContacts, useSettings } from '../hooks/host-values';
import { useEngineState } from '../hooks/use-engine-state';
import { Lobby } from '../lobby/Lobby';
import { ContactDetail } from './ContactDetail';
import { ContactList } from './ContactList';
import { InCall } from './InCall';
import { IncomingCall } from './IncomingCall';
import { KeyChangedGate } from './KeyChangedGate';
import { SafetyNumber } from './SafetyNumber';
import { useCallFlow } from './use-call-flow';
import { CallHistory } from './history/CallHistory';
import { useHistory } from './history/use-history';
import { MainNav, type MainTab } from './MainNav';
import { SettingsScreen } from './settings/SettingsScreen';
import { CallLinkConfirm } from './CallLinkConfirm';
import { useDeepLinks } from './use-deep-links';
import { useWatchContacts } from './use-watch-contacts';
import { ShortcutsDialog } from '../shortcuts/ShortcutsDialog';
import { currentPlatform, showShortcutsCombos } from '../shortcuts/shortcuts';
import { useShortcuts } from '../shortcuts/use-shortcuts';
import { GroupCall } from './group/GroupCall';
import { useGroupEngine, useGroupEngineState } from './group/group-engine-context';
import { IncomingGroupCall } from './group/IncomingGroupCall';
import { groupCallLimit, useGroupFlow } from './group/use-group-flow';

type ReadyIdentity = Extract<IdentityStatus, { state: 'ready' }>;

/** The app once this computer is enrolled and unlocked: a rail with Contacts, Calls and Settings, and calls over all of them. */
export function MainScreen({ bridge, identity }: { bridge: SealcallBridge; identity: ReadyIdentity }) {
  const engine = useCallEngine();
  const engineState = useEngineState(engine);
  const connection = useConnection(bridge);
  const contactsValue = useContacts(bridge);
  const callValue = useCallView(bridge);
  const settings = useSettings(bridge);
  // With an engine, its CallController follows the calls; the core's view alone serves a page without one.
  const call = engineState !== null ? engineState.call : callValue.status === 'ready' ? callValue.value : null;
  const flow = useCallFlow(bridge, engine, call, engineState?.answering === true, engineState?.placing ?? null);
  const groupEngine = useGroupEngine();
  const groupState = useGroupEngineState(groupEngine);
  const groupCallMax = groupCallLimit(connection.status === 'ready' ? connection.value : null);
  const group = useGroupFlow(groupEngine, groupState, groupCallMax);

  const [query, setQuery] = useState('');
  const [selection, setSelection] = useState<{ id: string; view: 'detail' | 'safety' } | null>(null);
  const [tab, setTab] = useState<MainTab>('contacts');
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [visibleRows, setVisibleRows] = useState<readonly string[]>([]);
  useWatchContacts(bridge, selection?.id ?? null, visibleRows);
  const history = useHistory(bridge);
  const links = useDeepLinks({ bridge, ownUserId: identity.userId, contacts: contactsValue, connection, flow });

  const contacts = contactsValue.status === 'ready' ? contactsValue.value : [];
  const online = connection.status === 'ready' && connection.value.state === 'online';
  const selected = selection === null ? undefined : contacts.find((contact) => contact.id === selection.id);
  const ringtone = settings.status === 'ready' ? settings.value.values.ringtone : true;

  const blockedBecause = (): string | undefined => {
    if (flow.noEngineReason !== undefined) return flow.noEngineReason;
    if (!online) return "You're offline: calls can be placed once Sealcall reconnects.";
    if (flow.inCall || group.busy) return "You're already in a call.";
    return undefined;
  };
  const groupBlockedBecause = (): string | undefined => (groupEngine === null ? "Group calls aren't available: Sealcall's call engine did not start." : blockedBecause());

  // Shortcuts act on what is on screen: the call controls while in a call, the answer while it rings.
  const live = flow.shown !== null && flow.shown.state !== 'ended' && engine !== null;
  const ringing = flow.incoming !== null && flow.lobby === null;
  const groupView = group.live;
  const groupLive = groupView !== null && groupEngine !== null && groupState !== null;
  // A group call rings only while no 1:1 call is going on here (the core declines others as busy);
  // the one that continues the 1:1 call rings only if joining it unrung failed.
  const groupRinging = group.incoming !== null && (!flow.inCall || typeof group.incoming.upgradeOf === 'string');
  const shownCall = flow.shown;
  useShortcuts({
    showShortcuts: () => {
      setShowShortcuts(true);
    },
    ...(groupLive && {
      toggleMute: () => {
        groupEngine.setMuted(!groupEngine.getState().muted);
      },
      toggleCamera: () => {
        groupEngine.setCameraOff(!groupEngine.getState().cameraOff);
      },
      toggleHand: () => {
        groupEngine.setHandRaised(!groupEngine.getState().handRaised);
      },
      hangUp: group.leave,
    }),
    ...(groupRinging &&
      groupEngine !== null && {
        // A call naming a changed safety number is joined only from the dialog, once ticked.
        ...(group.incoming?.keyChanged.length === 0 && {
          acceptVideo: () => void group.accept('video'),
          acceptAudio: () => void group.accept('audio'),
        }),
        decline: group.decline,
      }),
    ...(live && {
      toggleMute: () => {
        engine.setMuted(!engine.getState().muted);
      },
      toggleCamera: () => {
        engine.setCameraOff(!engine.getState().cameraOff);
      },
      hangUp: flow.hangUp,
    }),
    ...(ringing &&
      flow.noEngineReason === undefined && {
        acceptVideo: () => void flow.accept({ audio: true, video: true }),
        acceptAudio: () => void flow.accept({ audio: true, video: false }),
      }),
    ...(ringing && { decline: flow.decline }),
  });

  const onHistoryError = useCallback((text: string) => {
    setHistoryError(text);
  }, []);

  const linkNotice = links.notice ?? historyError;
  const notice = flow.notice ?? group.notice ?? (linkNotice === null ? null : { text: linkNotice, tone: 'info' as const });

  return (
    <div className="shell">
      <TopBar identity={identity} connection={connection.status === 'ready' ? connection.value : null} />
      {connection.status === 'ready' && (
        <ConnectionBanner
          connection={connection.value}
          serverUrl={identity.serverUrl}
          onRetry={() => {
            bridge.invoke('connection.reconnect').catch(() => undefined);
          }}
        />
      )}
      <PinsLostBanner contacts={contacts} />
      {notice !== null && (
        <NoticeBar
          text={notice.text}
          tone={notice.tone}
          onDismiss={() => {
            flow.dismissNotice();
            group.dismissNotice();
            links.dismissNotice();
            setHistoryError(null);
          }}
        />
      )}
      {groupView !== null && groupEngine !== null && groupState !== null ? (
        <main className="workspace workspace-call">
          <GroupCall
            bridge={bridge}
            engine={groupEngine}
            state={groupState}
            view={groupView}
            groupCallMax={groupCallMax}
            self={{ userId: identity.userId, displayName: identity.displayName }}
            contacts={contacts}
            audioOutputId={settings.status === 'ready' ? (settings.value.values.audioOutputId ?? '') : ''}
            onLeave={group.leave}
            onEndForEveryone={group.endForEveryone}
            onInvite={group.invite}
            onRemove={group.remove}
          />
        </main>
      ) : group.starting !== null ? (
        <main className="workspace workspace-call">
          <section className="call group-call group-starting" aria-label="Group call">
            <p className="call-status" role="status">
              Starting the group call…
            </p>
          </section>
        </main>
      ) : flow.shown !== null ? (
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
            addPeople={
              groupEngine === null || shownCall === null
                ? undefined
                : {
                    candidates: contacts.filter((contact) => contact.id !== shownCall.peerId),
                    // The two already in the call.
                    room: groupCallMax - 2,
                    onAdd: (userIds) => group.upgrade({ callId: shownCall.callId, peerId: shownCall.peerId, video: shownCall.media.video }, userIds),
                  }
            }
          />
        </main>
      ) : (
        <div className="shell-body">
          <MainNav
            current={tab}
            onChange={setTab}
            unseenMissed={history.status === 'ready' ? history.value.unseenMissed : 0}
            onShowShortcuts={() => {
              setShowShortcuts(true);
            }}
            shortcutsKeys={showShortcutsCombos(currentPlatform())
              .map((combo) => combo.aria)
              .join(' ')}
          />
          {tab === 'calls' ? (
            <main className="workspace workspace-page">
              <CallHistory
                bridge={bridge}
                history={history}
                contacts={contacts}
                blockedBecause={blockedBecause()}
                onCallBack={(contact) => {
                  flow.call(contact, { audio: true, video: false });
                }}
                onError={onHistoryError}
              />
            </main>
          ) : tab === 'settings' ? (
            <main className="workspace workspace-page">
              <SettingsScreen bridge={bridge} identity={identity} />
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
                onVisibleRows={setVisibleRows}
                group={{ blockedBecause: groupBlockedBecause(), maxInvitees: groupCallMax - 1, onStart: group.start }}
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
        </div>
      )}
      {links.confirming !== null && <CallLinkConfirm contact={links.confirming} onCall={links.confirmCall} onCancel={links.cancelCall} />}
      {flow.gate !== null && (
        <KeyChangedGate
          bridge={bridge}
          // The contact as it is now, not as it was when the gate opened: a key pinned meanwhile
          // must be the one whose number is shown.
          contact={contacts.find((contact) => contact.id === flow.gate?.contact.id) ?? flow.gate.contact}
          onCancel={flow.cancelGate}
          onCallAnyway={flow.callAnyway}
        />
      )}
      {group.gate?.contacts[0] !== undefined && (
        <KeyChangedGate
          bridge={bridge}
          contact={contacts.find((contact) => contact.id === group.gate?.contacts[0]?.id) ?? group.gate.contacts[0]}
          onCancel={group.cancelGate}
          onCallAnyway={group.startAnyway}
        />
      )}
      {groupRinging && group.incoming !== null && (
        <IncomingGroupCall
          key={group.incoming.groupId}
          call={group.incoming}
          contacts={contacts}
          ringtone={ringtone}
          cannotAnswerBecause={groupEngine === null ? "Group calls aren't available: Sealcall's call engine did not start." : undefined}
          onAccept={group.accept}
          onDecline={group.decline}
        />
      )}
      {flow.lobby !== null && (
        <Lobby
          bridge={bridge}
          peerName={flow.lobby.direction === 'outgoing' ? flow.lobby.contact.displayName : flow.lobby.peerName}
          direction={flow.lobby.direction}
          ringtone={ringtone}
          onJoin={flow.joinFromLobby}
          onCancel={flow.cancelLobby}
        />
      )}
      {flow.incoming !== null && flow.lobby === null && (
        <IncomingCall
          key={flow.incoming.callId}
          bridge={bridge}
          call={flow.incoming}
          pinnedKey={contacts.find((contact) => contact.id === flow.incoming?.peerId)?.identityKey}
          ringtone={ringtone}
          cannotAnswerBecause={flow.noEngineReason}
          onAccept={flow.accept}
          onDecline={flow.decline}
        />
      )}
      {showShortcuts && (
        <ShortcutsDialog
          onClose={() => {
            setShowShortcuts(false);
          }}
        />
      )}
    </div>
  );
}
