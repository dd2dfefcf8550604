import { useEffect, useState } from 'react';
import type { ConnectionState, Contact, SealcallBridge } from '../../shared/ipc';
import { firstName } from '../components/sentence';
import type { HostValue } from '../hooks/use-host-value';
import { useBridgeEvent } from '../hooks/use-bridge-event';
import type { CallFlow } from './use-call-flow';

/** The core has already checked the link's shape (deep-link.ts); only the user id is read here. */
const CALL_LINK = /^sealcall:\/\/call\/([^/?#]+)$/iu;

interface DeepLinkInputs {
  bridge: SealcallBridge;
  ownUserId: string;
  contacts: HostValue<readonly Contact[]>;
  connection: HostValue<ConnectionState>;
  flow: Pick<CallFlow, 'call' | 'inCall' | 'noEngineReason'>;
}

/**
 * sealcall:// links the OS hands the app once it is set up. A call link asks the user first (a link
 * in a mail or on a web page must not open a microphone by itself), then starts an audio call
 * through the contact list's flow, so a changed key still meets the gate; the camera stays off.
 * Anything that stops the call (not a contact, offline, already in a call) is said in a notice
 * rather than silently dropped.
 */
export function useDeepLinks({ bridge, ownUserId, contacts, connection, flow }: DeepLinkInputs): {
  notice: string | null;
  dismissNotice: () => void;
  /** The contact a link asks to call, waiting for the user's yes. */
  confirming: Contact | null;
  confirmCall: () => void;
  cancelCall: () => void;
} {
  const [pending, setPending] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Contact | null>(null);

  useBridgeEvent(bridge, 'app.deepLink', ({ link }) => {
    setPending(link);
  });

  // A link that arrives as the app starts waits for the contact list and the first connection.
  const settled = contacts.status !== 'loading' && connection.status !== 'loading' && !(connection.status === 'ready' && connection.value.state === 'connecting');

  useEffect(() => {
    if (pending === null || !settled) return;
    setPending(null);
    const target = CALL_LINK.exec(pending)?.[1];
    if (target === undefined) {
      setNotice(
        `This computer is already set up for Sealcall as ${ownUserId}, so the enrollment link was not used. Enrollment links set up a new computer; if you need this one set up again, ask IT.`,
      );
      return;
    }
    const id = decodeURIComponent(target);
    const contact = contacts.status === 'ready' ? contacts.value.find((candidate) => candidate.id === id) : undefined;
    if (id === ownUserId) {
      setNotice('That call link is for you, so there is no one to call.');
    } else if (contact === undefined) {
      setNotice(`Couldn't start the call from the link: ${id} is not in your contacts.`);
    } else if (flow.noEngineReason !== undefined) {
      setNotice(flow.noEngineReason);
    } else if (connection.status !== 'ready' || connection.value.state !== 'online') {
      setNotice(`Couldn't call ${firstName(contact.displayName)} from the link: you're offline. Try again once Sealcall reconnects.`);
    } else if (flow.inCall) {
      setNotice(`You're already in a call. Hang up first to call ${firstName(contact.displayName)} from the link.`);
    } else {
      setNotice(null);
      setConfirming(contact);
    }
  }, [pending, settled, contacts, connection, flow, ownUserId]);

  return {
    notice,
    dismissNotice: () => {
      setNotice(null);
    },
    confirming,
    confirmCall: () => {
      if (confirming === null) return;
      setConfirming(null);
      // Placed the same way as from the contact list, which says why if it can no longer be.
      flow.call(confirming, { audio: true, video: false });
    },
    cancelCall: () => {
      setConfirming(null);
    },
  };
}
