import type { Contact } from '../../../shared/ipc';
import type { GroupMedia } from '../../call/group/group-engine-types';
import { PhoneIcon, VideoIcon } from '../../components/Icons';
import { MIN_GROUP_INVITEES } from './use-group-flow';
import './group-select.css';

interface GroupSelectBarProps {
  picked: readonly Contact[];
  /** The most people who may be picked (the server's cap on a group call, less the owner). */
  maxInvitees: number;
  blockedBecause: string | undefined;
  onStart: (media: GroupMedia) => void;
}

function hint(count: number, maxInvitees: number): string {
  if (count < MIN_GROUP_INVITEES) return `Pick ${MIN_GROUP_INVITEES - count} more (${MIN_GROUP_INVITEES} to ${maxInvitees} people)`;
  return count >= maxInvitees ? `${count} people picked, the most a call on this server holds` : `${count} people picked`;
}

/** Under the contact list while people are picked: how many, and Start group call with audio or video. */
export function GroupSelectBar({ picked, maxInvitees, blockedBecause, onStart }: GroupSelectBarProps) {
  const ready = picked.length >= MIN_GROUP_INVITEES && picked.length <= maxInvitees && blockedBecause === undefined;
  const changed = picked.filter((contact) => contact.keyChanged || contact.pinLost).length;
  return (
    <div className="group-select-bar" role="region" aria-label="Start group call">
      <p className="group-select-count" role="status">
        {hint(picked.length, maxInvitees)}
        {changed > 0 && `, ${changed} with a changed safety number`}
      </p>
      <div className="group-select-actions">
        <button
          type="button"
          className="button button-secondary"
          disabled={!ready}
          title={blockedBecause}
          onClick={() => {
            onStart('audio');
          }}
        >
          <PhoneIcon className="icon-small" /> Start group audio call
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={!ready}
          title={blockedBecause}
          onClick={() => {
            onStart('video');
          }}
        >
          <VideoIcon className="icon-small" /> Start group video call
        </button>
      </div>
    </div>
  );
}
