import { useEffect, useRef, useState } from 'react';
import type { CallView, Contact, SealcallBridge } from '../../shared/ipc';
import type { CallEngine, CallEngineState, Media, StartChoice } from '../call/call-engine-types';
import { firstName, sentence } from '../components/sentence';
import { describeIpcError } from '../hooks/ipc-error';
import { useBridgeEvent } from '../hooks/use-bridge-event';
import type { LobbyChoice } from '../lobby/Lobby';
import { isSecurityEnd } from './call-status-text';
import type { ShownCall } from './InCall';

const ENDED_SHOWN_MS = 3500;
const SECURITY_END_SHOWN_MS = 20_000;
const NO_ENGINE = "Calling isn't available: Sealcall's call engine did not start. Restart Sealcall; if that doesn't help, contact IT.";

export interface CallFlow {
  /** What the call screen shows, or null for the contact list. */
  shown: ShownCall | null;
  /** A ringing incoming call, for the dialog. */
  incoming: CallView | null;
  /** A key-changed contact waiting on "Call anyway" or "Cancel". */
  gate: { contact: Contact; media: Media } | null;
  /** A video call in the lobby (camera preview, devices, start muted) before it is placed or answered. */
  lobby: LobbyFor | null;
  notice: { text: string; tone: 'info' | 'danger' } | null;
  inCall: boolean;
  noEngineReason: string | undefined;
  call: (contact: Contact, media: Media) => void;
  callAnyway: () => void;
  cancelGate: () => void;
  /** `confirmKeyChange` only from the ringing dialog's "answer anyway": nothing else may answer a key-changed caller. */
  accept: (media: Media, confirmKeyChange?: boolean) => Promise<boolean>;
  joinFromLobby: (choice: LobbyChoice) => void;
  cancelLobby: () => void;
  decline: () => void;
  hangUp: () => void;
  closeEnded: () => void;
  dismissNotice: () => void;
}

export type LobbyFor =
  | { direction: 'outgoing'; contact: Contact; confirmKeyChange: boolean }
  | { direction: 'incoming'; callId: string; peerName: string; confirmKeyChange: boolean };

type LiveCall = CallView & { state: 'outgoing' | 'ringing' | 'connecting' | 'connected' };

function isLive(call: CallView | null): call is LiveCall {
  return call !== null && call.state !== 'ended' && call.state !== 'incoming';
}

/**
 * The call lifecycle as the screens see it. The core's CallView (the call events, as the engine's
 * CallController follows them) is the truth about where a call stands; the engine does what needs
 * media (placing, answering, muting). Between the click and the core's first word, the call being
 * placed (`placing`, under the id the page chose for it) is shown as "Calling…"; between an answer
 * and the core's "connecting", the call being answered is shown as "Connecting…" (`answering`),
 * not the ringing dialog.
 */
export function useCallFlow(
  bridge: SealcallBridge,
  engine: CallEngine | null,
  call: CallView | null,
  answering: boolean,
  placing: CallEngineState['placing'],
): CallFlow {
  // Who the call being placed is to, as the list showed them when the user clicked.
  const [placedTo, setPlacedTo] = useState<Contact | null>(null);
  const [gate, setGate] = useState<{ contact: Contact; media: Media } | null>(null);
  const [lobbyFor, setLobby] = useState<LobbyFor | null>(null);
  const [notice, setNotice] = useState<CallFlow['notice']>(null);
  const [closedCallId, setClosedCallId] = useState<string | null>(null);
  // Calls that reached the call screen: only those show how they ended there.
  const onScreen = useRef(new Set<string>());

  // An answered call goes to the call screen at once, however it was answered (the dialog, a shortcut,
  // the notification): the dialog, its buttons spent, would otherwise stay up until the core's word
  // comes back, and one that has not rendered yet would be put up (and rung) for nothing. With
  // video, the lobby stays up instead (see `lobby`).
  const beingAnswered = call?.state === 'incoming' && answering && lobbyFor === null ? call : null;
  if (isLive(call)) onScreen.current.add(call.callId);
  if (beingAnswered !== null) onScreen.current.add(beingAnswered.callId);

  const endedOnScreen = call?.state === 'ended' && closedCallId !== call.callId && (call.direction === 'outgoing' || onScreen.current.has(call.callId));

  useEffect(() => {
    if (call?.state !== 'ended') return;
    if (!endedOnScreen) {
      // An incoming call that stopped ringing before it was answered.
      if (call.direction === 'incoming' && (call.endReason === 'cancelled' || call.endReason === 'timeout')) {
        setNotice({ text: `Missed call from ${call.peerName}`, tone: 'info' });
      }
      return;
    }
    const timer = setTimeout(
      () => {
        setClosedCallId(call.callId);
      },
      isSecurityEnd(call.endReason) ? SECURITY_END_SHOWN_MS : ENDED_SHOWN_MS,
    );
    return () => {
      clearTimeout(timer);
    };
  }, [call, endedOnScreen]);

  // An answered-with-video call closes its lobby when it stops ringing (the caller cancelled, or it was answered).
  const lobby = lobbyFor?.direction === 'incoming' && !(call?.state === 'incoming' && call.callId === lobbyFor.callId) ? null : lobbyFor;

  const place = async (contact: Contact, media: Media, confirmKeyChange: boolean, start?: StartChoice) => {
    if (engine === null) {
      setNotice({ text: NO_ENGINE, tone: 'danger' });
      return;
    }
    setNotice(null);
    setPlacedTo(contact);
    try {
      await engine.call(contact.id, media, { ...(confirmKeyChange ? { confirmKeyChange: true } : {}), ...(start === undefined ? {} : { start }) });
    } catch (error) {
      const { code, message } = describeIpcError(error, 'The call could not be placed.');
      if (code === 'key-changed') setGate({ contact, media });
      else setNotice({ text: `Couldn't call ${firstName(contact.displayName)}. ${sentence(message)}`, tone: 'danger' });
    }
  };

  const answer = async (media: Media, confirmKeyChange: boolean, start?: StartChoice): Promise<boolean> => {
    if (engine === null) {
      setNotice({ text: NO_ENGINE, tone: 'danger' });
      return false;
    }
    try {
      await engine.accept(media, start, { confirmKeyChange });
      return true;
    } catch (error) {
      setNotice({ text: `Couldn't answer the call. ${sentence(describeIpcError(error, 'Answering failed.').message)}`, tone: 'danger' });
      return false;
    }
  };

  // With video, answering goes through the lobby first (the ring goes on there); audio only answers at once, as in Signal.
  // A caller whose safety number changed is answered only from the dialog, once the user ticked
  // "answer anyway": a shortcut or the notification leaves the dialog up instead.
  const accept = (media: Media, confirmKeyChange = false): Promise<boolean> => {
    if (call?.state === 'incoming' && call.peerKeyChanged && !confirmKeyChange) return Promise.resolve(false);
    if (!media.video || call?.state !== 'incoming') return answer(media, confirmKeyChange);
    setLobby({ direction: 'incoming', callId: call.callId, peerName: call.peerName, confirmKeyChange });
    return Promise.resolve(true);
  };

  // "Accept" on the OS notification: the answer the dialog would give, with the camera only for a
  // video call.
  useBridgeEvent(bridge, 'call.acceptRequested', ({ callId }) => {
    if (call?.state === 'incoming' && call.callId === callId) void accept({ audio: true, video: call.remoteMedia?.video ?? false });
  });

  const report = (what: string) => (error: unknown) => {
    setNotice({ text: `${what} ${sentence(describeIpcError(error, 'It failed.').message)}`, tone: 'danger' });
  };

  const shown: ShownCall | null = isLive(call) || (call !== null && endedOnScreen)
    ? call
    : beingAnswered !== null
      ? beingAnswered
      : placing !== null && placedTo?.id === placing.peerId
        ? {
            callId: placing.callId,
            peerId: placedTo.id,
            peerName: placedTo.displayName,
            direction: 'outgoing',
            state: 'starting',
            media: placing.media,
            remoteMedia: null,
            connectedAt: null,
            endReason: null,
            shortCode: null,
            peerVerified: placedTo.verified,
            peerKeyChanged: placedTo.keyChanged,
          }
        : null;

  return {
    shown,
    incoming: call?.state === 'incoming' && beingAnswered === null ? call : null,
    gate,
    notice,
    lobby,
    inCall: isLive(call) || call?.state === 'incoming' || placing !== null || lobby !== null,
    noEngineReason: engine === null ? NO_ENGINE : undefined,
    call: (contact, media) => {
      if (contact.keyChanged) setGate({ contact, media });
      else if (media.video) setLobby({ direction: 'outgoing', contact, confirmKeyChange: false });
      else void place(contact, media, false);
    },
    callAnyway: () => {
      if (gate === null) return;
      setGate(null);
      if (gate.media.video) setLobby({ direction: 'outgoing', contact: gate.contact, confirmKeyChange: true });
      else void place(gate.contact, gate.media, true);
    },
    cancelGate: () => {
      setGate(null);
    },
    accept,
    joinFromLobby: ({ media, start }) => {
      if (lobby === null) return;
      if (lobby.direction === 'outgoing') {
        setLobby(null);
        void place(lobby.contact, media, lobby.confirmKeyChange, start);
        return;
      }
      // The lobby stays up (not the ringing dialog) until the core says the call was answered.
      void answer(media, lobby.confirmKeyChange, start).then((ok) => {
        if (!ok) setLobby(null);
      });
    },
    cancelLobby: () => {
      setLobby(null);
    },
    decline: () => {
      if (call?.state !== 'incoming') return;
      const declined = engine !== null ? engine.decline() : bridge.invoke('call.decline', { callId: call.callId });
      void declined.catch(report("Couldn't decline the call."));
    },
    hangUp: () => {
      if (engine !== null) {
        void engine.hangup().catch(report("Couldn't hang up."));
      } else if (isLive(call)) {
        void bridge.invoke('call.hangup', { callId: call.callId }).catch(report("Couldn't hang up."));
      }
    },
    closeEnded: () => {
      if (call !== null) setClosedCallId(call.callId);
    },
    dismissNotice: () => {
      setNotice(null);
    },
  };
}
