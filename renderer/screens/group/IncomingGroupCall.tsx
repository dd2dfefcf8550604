import { useEffect, useId, useRef, useState } from 'react';
import type { Contact, GroupView } from '../../../shared/ipc';
import type { GroupMedia } from '../../call/group/group-engine-types';
import { Avatar } from '../../components/Avatar';
import { Checkbox } from '../../components/Checkbox';
import { PhoneIcon, VideoIcon, WarningIcon } from '../../components/Icons';
import { Modal } from '../../components/Modal';
import { useRingtone } from '../../hooks/use-ringtone';
import { IncomingActions } from '../IncomingActions';
import { useIncomingAnswer } from '../use-incoming-answer';

interface IncomingGroupCallProps {
  call: GroupView;
  contacts: readonly Contact[];
  ringtone: boolean;
  /** Set when answering is impossible (no call engine); declining still works. */
  cannotAnswerBecause: string | undefined;
  /**
   * Resolves false when joining failed (the parent says why), so the buttons come back.
   * `confirmKeyChange`: the user ticked "join anyway" for a call naming someone whose safety number changed.
   */
  onAccept: (media: GroupMedia, confirmKeyChange: boolean) => Promise<boolean>;
  onDecline: () => void;
}

function nameOf(contacts: readonly Contact[], userId: string): string {
  return contacts.find((contact) => contact.id === userId)?.displayName ?? userId;
}

/**
 * A group call ringing here: who started it and who else is invited, then Decline, Accept audio
 * only, Accept with video. The core rings only for an invite signed by the owner's pinned key.
 */
export function IncomingGroupCall({ call, contacts, ringtone, cannotAnswerBecause, onAccept, onDecline }: IncomingGroupCallProps) {
  const ids = useId();
  const changed = call.keyChanged.map((userId) => nameOf(contacts, userId));
  const { answering, keyChangeConfirmed, setKeyChangeConfirmed, gated, accept } = useIncomingAnswer<GroupMedia>(changed.length > 0, onAccept);
  const [announcement, setAnnouncement] = useState('');
  const focusRef = useRef<HTMLDivElement>(null);
  const owner = nameOf(contacts, call.owner);
  const others = call.invitees.map((userId) => nameOf(contacts, userId));
  const kind = call.media === 'video' ? 'group video call' : 'group audio call';

  useRingtone(ringtone && !answering);

  useEffect(() => {
    const timer = setTimeout(() => {
      setAnnouncement(`${owner} is calling you and ${others.length - 1} others, ${kind}`);
    }, 50);
    return () => {
      clearTimeout(timer);
    };
  }, [owner, others.length, kind]);

  return (
    <Modal role="alertdialog" labelledBy={`${ids}-name`} describedBy={`${ids}-kind`} initialFocus={focusRef} className="modal-incoming">
      <div ref={focusRef} tabIndex={-1} className="incoming" data-group-id={call.groupId}>
        <p className="visually-hidden" aria-live="assertive">
          {announcement}
        </p>
        <div className="incoming-avatar">
          <Avatar id={call.owner} name={owner} size="huge" />
        </div>
        <h2 id={`${ids}-name`} className="incoming-name">
          {owner}
        </h2>
        <p id={`${ids}-kind`} className="incoming-kind">
          {call.media === 'video' ? <VideoIcon className="icon-small" /> : <PhoneIcon className="icon-small" />} Incoming {kind}
        </p>
        <p className="incoming-trust trust-none">Invited: {others.join(', ')}</p>
        {changed.length > 0 && (
          <div className="incoming-key-change">
            <p className="incoming-trust trust-warning">
              <WarningIcon className="icon-small" /> Safety number changed: {changed.join(', ')}
            </p>
            <p className="muted">
              They probably set up Sealcall again. It could also mean someone is trying to intercept the call: compare safety numbers before you discuss anything sensitive.
            </p>
            <Checkbox label="Join anyway" checked={keyChangeConfirmed} onChange={setKeyChangeConfirmed} disabled={answering} />
          </div>
        )}
        {cannotAnswerBecause !== undefined && <p className="field-error">{cannotAnswerBecause}</p>}
        <IncomingActions
          video={call.media === 'video'}
          answering={answering}
          acceptDisabled={gated || cannotAnswerBecause !== undefined}
          answeringText="Joining…"
          onDecline={onDecline}
          onAccept={(withVideo) => {
            accept(withVideo ? 'video' : 'audio');
          }}
        />
      </div>
    </Modal>
  );
}
