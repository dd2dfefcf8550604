import { useEffect, useId, useRef, useState } from 'react';
import type { CallView, SealcallBridge } from '../../shared/ipc';
import type { Media } from '../call/call-engine-types';
import { Avatar } from '../components/Avatar';
import { PhoneIcon, ShieldCheckIcon, VideoIcon, WarningIcon } from '../components/Icons';
import { Modal } from '../components/Modal';
import { useRingtone } from '../hooks/use-ringtone';
import { IncomingActions } from './IncomingActions';
import { IncomingKeyChange } from './IncomingKeyChange';
import { useIncomingAnswer } from './use-incoming-answer';

interface IncomingCallProps {
  bridge: SealcallBridge;
  call: CallView;
  /** The caller's pinned key from the contact list, for the safety number shown on a key change. */
  pinnedKey: string | undefined;
  ringtone: boolean;
  /** Set when answering is impossible (no call engine); declining still works. */
  cannotAnswerBecause: string | undefined;
  /**
   * Resolves false when answering failed (the parent says why), so the buttons come back.
   * `confirmKeyChange`: the user ticked "answer anyway" for a caller whose safety number changed.
   */
  onAccept: (media: Media, confirmKeyChange: boolean) => Promise<boolean>;
  onDecline: () => void;
}

export function IncomingCall({ bridge, call, pinnedKey, ringtone, cannotAnswerBecause, onAccept, onDecline }: IncomingCallProps) {
  const ids = useId();
  const { answering, keyChangeConfirmed, setKeyChangeConfirmed, gated, accept } = useIncomingAnswer<Media>(call.peerKeyChanged, onAccept);
  const [announcement, setAnnouncement] = useState('');
  const focusRef = useRef<HTMLDivElement>(null);
  const video = call.remoteMedia?.video ?? false;
  const kind = video ? 'video call' : 'audio call';

  useRingtone(ringtone && !answering);

  // A live region only speaks about changes after it exists, so the text goes in after mount.
  useEffect(() => {
    const timer = setTimeout(() => {
      setAnnouncement(`${call.peerName} is calling, ${kind}${call.peerKeyChanged ? `. ${call.peerName}'s safety number has changed` : ''}`);
    }, 50);
    return () => {
      clearTimeout(timer);
    };
  }, [kind, call.peerName, call.peerKeyChanged]);

  return (
    // Focus lands on the dialog itself, not a button: a keypress meant for another field must not
    // answer or reject the call.
    <Modal role="alertdialog" labelledBy={`${ids}-name`} describedBy={`${ids}-kind`} initialFocus={focusRef} className="modal-incoming">
      <div ref={focusRef} tabIndex={-1} className="incoming">
        <p className="visually-hidden" aria-live="assertive">
          {announcement}
        </p>
        <div className="incoming-avatar">
          <Avatar id={call.peerId} name={call.peerName} size="huge" />
        </div>
        <h2 id={`${ids}-name`} className="incoming-name">
          {call.peerName}
        </h2>
        <p id={`${ids}-kind`} className="incoming-kind">
          {video ? <VideoIcon className="icon-small" /> : <PhoneIcon className="icon-small" />} Incoming {kind}
        </p>
        <p className={`incoming-trust ${call.peerKeyChanged ? 'trust-warning' : call.peerVerified ? 'trust-ok' : 'trust-none'}`}>
          {call.peerKeyChanged ? (
            <>
              <WarningIcon className="icon-small" /> Safety number changed
            </>
          ) : call.peerVerified ? (
            <>
              <ShieldCheckIcon className="icon-small" /> Verified
            </>
          ) : (
            'Not verified'
          )}
        </p>
        {call.peerKeyChanged && (
          <IncomingKeyChange
            bridge={bridge}
            peerId={call.peerId}
            pinnedKey={pinnedKey}
            peerName={call.peerName}
            confirmed={keyChangeConfirmed}
            onConfirmedChange={setKeyChangeConfirmed}
            disabled={answering}
          />
        )}
        {cannotAnswerBecause !== undefined && <p className="field-error">{cannotAnswerBecause}</p>}
        <IncomingActions
          video={video}
          answering={answering}
          acceptDisabled={gated || cannotAnswerBecause !== undefined}
          answeringText="Connecting…"
          onDecline={onDecline}
          onAccept={(withVideo) => {
            accept({ audio: true, video: withVideo });
          }}
        />
      </div>
    </Modal>
  );
}
