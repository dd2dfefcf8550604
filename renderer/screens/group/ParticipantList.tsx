import { useId } from 'react';
import { Avatar } from '../../components/Avatar';
import { KeyIcon, MicOffIcon, ShieldCheckIcon, WarningIcon } from '../../components/Icons';
import { peopleCount } from './group-call-text';
import type { GroupMember, MemberLabels, Verification } from './participant-order';

export type ListedMember = GroupMember & MemberLabels & { muted: boolean };

interface ParticipantListProps {
  /** In list order (participant-order.ts), yourself included. */
  members: readonly ListedMember[];
  /** Opens the safety number with one member, to compare it and mark them verified. */
  onShowSafetyNumber: (userId: string) => void;
  /** For the Participants button's aria-controls. */
  id?: string;
  /** The owner's view only: asks to take a member out of the call (the caller confirms first). */
  onRemove?: (userId: string) => void;
}

function VerificationLine({ verification }: { verification: Verification }) {
  switch (verification) {
    case 'verified':
      return (
        <p className="group-person-trust trust-ok">
          <ShieldCheckIcon className="icon-small" /> Verified
        </p>
      );
    case 'unverified':
      return (
        <p className="group-person-trust trust-none">
          <KeyIcon className="icon-small" /> Not verified
        </p>
      );
    case 'key-changed':
      return (
        <p className="group-person-trust trust-warning">
          <WarningIcon className="icon-small" /> Safety number changed
        </p>
      );
  }
}

/**
 * Everyone in the call, with how far you can trust that each one is who the name says: a member
 * whose key changed is marked and the change explained, as the 1:1 call does for its one peer.
 */
export function ParticipantList({ members, onShowSafetyNumber, id, onRemove }: ParticipantListProps) {
  const ids = useId();
  return (
    <section className="group-people-section" aria-labelledby={`${ids}-title`} id={id}>
      <h3 id={`${ids}-title`} className="call-side-title">
        Participants ({peopleCount(members.length)})
      </h3>
      <ul className="group-people">
        {members.map((member) => (
          <li key={member.userId} className="group-person">
            <Avatar id={member.userId} name={member.displayName} size="small" />
            <div className="group-person-text">
              <p className="group-person-name">
                <span>{member.self ? `${member.displayName} (you)` : member.displayName}</span>
                {member.owner && <span className="group-person-tag">Owner</span>}
                {member.muted && (
                  <span className="group-person-muted">
                    <MicOffIcon className="icon-small" />
                    <span className="visually-hidden">microphone off</span>
                  </span>
                )}
              </p>
              <p className="group-person-id">{member.userId}</p>
              {member.verification !== null && <VerificationLine verification={member.verification} />}
              {member.verification === 'key-changed' && (
                <p className="group-person-warning">
                  {member.shortName}'s key is not the one Sealcall saw before. They probably set up Sealcall again, on a new computer for
                  instance; it could also mean someone is intercepting the call. Compare the new safety number with {member.shortName} before
                  you say anything sensitive.
                </p>
              )}
              {!member.self && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    onShowSafetyNumber(member.userId);
                  }}
                >
                  View safety number<span className="visually-hidden"> with {member.displayName}</span>
                </button>
              )}
              {!member.self && onRemove !== undefined && (
                <button
                  type="button"
                  className="link-button group-person-remove"
                  onClick={() => {
                    onRemove(member.userId);
                  }}
                >
                  Remove<span className="visually-hidden"> {member.displayName} from the call</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
