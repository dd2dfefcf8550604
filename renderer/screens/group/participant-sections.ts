/**
 * The participant list of a meeting in sections, as Zoom and Meet show theirs: raised hands first
 * in the order they went up (who asked first speaks first), then everyone else in the call in list
 * order (participant-order.ts), then those still being rung, then those who will not come
 * (declined, busy, unavailable). A search narrows every section to the names that match.
 */

export type Absence = 'declined' | 'busy' | 'unavailable';

/** Someone invited who is not in the call. */
export interface Invitee {
  userId: string;
  displayName: string;
  /** Null while their app still rings. */
  absence: Absence | null;
}

export interface Sections<Member> {
  raised: Member[];
  inCall: Member[];
  ringing: Invitee[];
  notComing: Invitee[];
}

/** Case, accents and width folded, so "jose" finds "José" and "ＡＮＮ" finds "Ann". */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Whether a person matches the search: every word of it starts a word of their name, or is in their user id. */
export function matchesSearch(person: { userId: string; displayName: string }, query: string): boolean {
  const words = fold(query).split(' ').filter((word) => word.length > 0);
  if (words.length === 0) return true;
  const nameWords = fold(person.displayName).split(' ');
  const userId = fold(person.userId);
  return words.every((word) => nameWords.some((name) => name.startsWith(word)) || userId.includes(word));
}

/**
 * `members` in list order; `hands` maps a raised hand's user id to a number rising in the order
 * hands went up (renderer/call/group/member-states.ts).
 */
export function participantSections<Member extends { userId: string; displayName: string }>(
  members: readonly Member[],
  hands: ReadonlyMap<string, number>,
  invitees: readonly Invitee[],
  query: string,
): Sections<Member> {
  const shown = members.filter((member) => matchesSearch(member, query));
  const raised = shown.filter((member) => hands.has(member.userId)).sort((a, b) => (hands.get(a.userId) ?? 0) - (hands.get(b.userId) ?? 0));
  const inCall = shown.filter((member) => !hands.has(member.userId));
  const inMembers = new Set(members.map((member) => member.userId));
  const others = invitees.filter((invitee) => !inMembers.has(invitee.userId) && matchesSearch(invitee, query));
  return {
    raised,
    inCall,
    ringing: others.filter((invitee) => invitee.absence === null),
    notComing: others.filter((invitee) => invitee.absence !== null),
  };
}
