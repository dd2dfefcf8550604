/**
 * The order of a group call's members in the participant list and the grid, each with how far its
 * identity key is trusted.
 *
 * You come first, then the owner, then everyone else by name, as Zoom's participants panel does
 * ("You", then the host): your own row (and your own tile, top left) never moves as people join
 * and leave, and the one person who can end the call for everyone is always found second. Zoom
 * also sorts the unmuted before the muted; Sealcall does not, so nobody's row jumps when they
 * unmute.
 */
import { firstName } from '../../components/sentence';

/**
 * What the pinned key of a member says: compared in person (`verified`), never compared
 * (`unverified`), or changed since it was pinned and not compared again (`key-changed`).
 */
export type Verification = 'verified' | 'unverified' | 'key-changed';

export interface GroupMember {
  userId: string;
  displayName: string;
  self: boolean;
  owner: boolean;
  /** From the contact list, as for a 1:1 call. */
  verified: boolean;
  keyChanged: boolean;
}

export interface MemberLabels {
  /** Null for yourself: there is no one to compare with. */
  verification: Verification | null;
  /** The shortest name that tells this member apart from the others in the call (see shortNames). */
  shortName: string;
}

export type OrderedMember<Member extends GroupMember = GroupMember> = Member & MemberLabels;

/** A changed key outranks an old verification, as everywhere else in the app. */
export function verificationOf(member: Pick<GroupMember, 'self' | 'verified' | 'keyChanged'>): Verification | null {
  if (member.self) return null;
  if (member.keyChanged) return 'key-changed';
  return member.verified ? 'verified' : 'unverified';
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base' });

function rank(member: GroupMember): number {
  if (member.self) return 0;
  return member.owner ? 1 : 2;
}

/**
 * A name for notices and status lines: the first name when no one else in the call has it, the
 * full name when two share a first name, and the full name with the user id when two share that
 * too (two "Alex Kim" must not read as one person).
 */
export function shortNames(members: readonly Pick<GroupMember, 'userId' | 'displayName'>[]): Map<string, string> {
  const count = (key: (member: Pick<GroupMember, 'userId' | 'displayName'>) => string) => {
    const counts = new Map<string, number>();
    for (const member of members) counts.set(key(member), (counts.get(key(member)) ?? 0) + 1);
    return (member: Pick<GroupMember, 'userId' | 'displayName'>) => counts.get(key(member)) ?? 0;
  };
  const fold = (text: string) => text.trim().normalize('NFKC').toLocaleLowerCase();
  const firstNameCount = count((member) => fold(firstName(member.displayName)));
  const fullNameCount = count((member) => fold(member.displayName).replace(/\s+/gu, ' '));
  const names = new Map<string, string>();
  for (const member of members) {
    const name =
      firstNameCount(member) === 1
        ? firstName(member.displayName)
        : fullNameCount(member) === 1
          ? member.displayName.trim()
          : `${member.displayName.trim()} (${member.userId})`;
    names.set(member.userId, name);
  }
  return names;
}

/**
 * The members in list order. A user id listed twice is shown once (the first): the call has one
 * leaf per user, so a second entry can only be a mistake upstream.
 */
export function orderParticipants<Member extends GroupMember>(members: readonly Member[]): OrderedMember<Member>[] {
  const seen = new Set<string>();
  const unique = members.filter((member) => {
    if (seen.has(member.userId)) return false;
    seen.add(member.userId);
    return true;
  });
  const names = shortNames(unique);
  return unique
    .map((member) => ({ ...member, verification: verificationOf(member), shortName: names.get(member.userId) ?? member.displayName }))
    .sort(
      (a, b) =>
        rank(a) - rank(b) ||
        collator.compare(a.displayName, b.displayName) ||
        (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
    );
}

/** How many members are not verified (unverified or key-changed), for the Participants button. */
export function unverifiedCount(members: readonly MemberLabels[]): number {
  return members.filter((member) => member.verification !== null && member.verification !== 'verified').length;
}
