import { useId, useState, type ReactNode } from 'react';
import { Avatar } from '../../components/Avatar';
import { KeyIcon, MicOffIcon, ShieldCheckIcon, WarningIcon } from '../../components/Icons';
import { SearchBox } from '../../components/SearchBox';
import { peopleCount } from './group-call-text';
import { HandIcon } from './HandIcon';
import type { GroupMember, MemberLabels, Verification } from './participant-order';
import { participantSections, type Absence, type Invitee } from './participant-sections';

/** `handOrder`: a number rising in the order hands went up, or null while their hand is down. */
export type ListedMember = GroupMember & MemberLabels & { muted: boolean; handOrder: number | null };

interface ParticipantListProps {
  /** In list order (participant-order.ts), yourself included. */
  members: readonly ListedMember[];
  /** Invited people who are not in the call: still rung, or not coming. */
  invitees?: readonly Invitee[];
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

function absenceText(absence: Absence): string {
  switch (absence) {
    case 'declined':
      return 'Declined';
    case 'busy':
      return 'Busy in another call';
    case 'unavailable':
      return 'Unavailable';
  }
}

/** One section of the list: a heading with its count, and its rows; nothing when it is empty. */
function Section({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  const ids = useId();
  if (count === 0) return null;
  return (
    <section className="group-people-part" aria-labelledby={`${ids}-title`}>
      <h4 id={`${ids}-title`} className="group-people-part-title">
        {title} ({count})
      </h4>
      <ul className="group-people">{children}</ul>
    </section>
  );
}

function MemberRow({ member, onShowSafetyNumber, onRemove }: { member: ListedMember } & Pick<ParticipantListProps, 'onShowSafetyNumber' | 'onRemove'>) {
  return (
    <li className="group-person">
      <Avatar id={member.userId} name={member.displayName} size="small" />
      <div className="group-person-text">
        <p className="group-person-name">
          <span>{member.self ? `${member.displayName} (you)` : member.displayName}</span>
          {member.owner && <span className="group-person-tag">Owner</span>}
          {member.handOrder !== null && (
            <span className="group-person-hand">
              <HandIcon className="icon-small" />
              <span className="visually-hidden">hand raised</span>
            </span>
          )}
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
  );
}

function InviteeRow({ invitee }: { invitee: Invitee }) {
  return (
    <li className="group-person group-person-away">
      <Avatar id={invitee.userId} name={invitee.displayName} size="small" />
      <div className="group-person-text">
        <p className="group-person-name">
          <span>{invitee.displayName}</span>
        </p>
        <p className="group-person-id">{invitee.absence === null ? 'Ringing…' : absenceText(invitee.absence)}</p>
      </div>
    </li>
  );
}

/**
 * Everyone in the call, with how far you can trust that each one is who the name says: a member
 * whose key changed is marked and the change explained, as the 1:1 call does for its one peer.
 * In sections (participant-sections.ts): raised hands first, in the order they went up; then the
 * call; then those still rung; then those not coming. A search box narrows them by name; a plain
 * list is quick enough at 50 people, so it is not virtualised.
 */
export function ParticipantList({ members, invitees = [], onShowSafetyNumber, id, onRemove }: ParticipantListProps) {
  const ids = useId();
  const [query, setQuery] = useState('');
  const sections = participantSections(
    members,
    new Map(members.flatMap((member) => (member.handOrder === null ? [] : [[member.userId, member.handOrder] as const]))),
    invitees,
    query,
  );
  const found = sections.raised.length + sections.inCall.length + sections.ringing.length + sections.notComing.length;
  const searching = query.trim() !== '';
  return (
    <section className="group-people-section" aria-labelledby={`${ids}-title`} id={id}>
      <h3 id={`${ids}-title`} className="call-side-title">
        Participants ({peopleCount(members.length)})
      </h3>
      <SearchBox label="Search participants" className="group-people-search" value={query} onChange={setQuery} />
      <p className={searching ? 'group-people-found' : 'visually-hidden'} role="status">
        {searching ? (found === 0 ? 'No one matches' : `${found} ${found === 1 ? 'match' : 'matches'}`) : ''}
      </p>
      <Section title="Raised hands" count={sections.raised.length}>
        {sections.raised.map((member) => (
          <MemberRow key={member.userId} member={member} onShowSafetyNumber={onShowSafetyNumber} onRemove={onRemove} />
        ))}
      </Section>
      <Section title="In the call" count={sections.inCall.length}>
        {sections.inCall.map((member) => (
          <MemberRow key={member.userId} member={member} onShowSafetyNumber={onShowSafetyNumber} onRemove={onRemove} />
        ))}
      </Section>
      <Section title="Invited" count={sections.ringing.length}>
        {sections.ringing.map((invitee) => (
          <InviteeRow key={invitee.userId} invitee={invitee} />
        ))}
      </Section>
      <Section title="Not joining" count={sections.notComing.length}>
        {sections.notComing.map((invitee) => (
          <InviteeRow key={invitee.userId} invitee={invitee} />
        ))}
      </Section>
    </section>
  );
}
