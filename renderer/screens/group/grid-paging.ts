/**
 * Which tiles the group call's grid shows, page by page, for meetings of more people than a page
 * holds (grid-layout.ts says how many fit). As in Meet and Zoom's gallery:
 * - your own tile is on every page, first, so you always see what you send;
 * - the people who spoke last are on page 1, so the conversation is where you land;
 * - everyone else follows in list order (participant-order.ts), a page at a time.
 * Page 1 keeps list order among the people on it, so a tile moves only when someone new speaks
 * and takes the place of the one who spoke longest ago.
 *
 * Tiles off the page are not rendered at all: no <video> decodes for them (docs/group-calls.md,
 * "Meetings of up to 50").
 */

export interface PagedMember {
  userId: string;
  self: boolean;
}

export interface GridPage<Member extends PagedMember> {
  /** The tiles on this page, yours first. */
  tiles: Member[];
  /** The page shown, from 0, after clamping to the pages there are. */
  page: number;
  pageCount: number;
}

/**
 * The recent speakers, most recent first, after `speaker` spoke (null: nobody now, nothing
 * changes). Returns the same array when nothing changed, so React can skip the update.
 */
export function nextRecentSpeakers(recent: readonly string[], speaker: string | null, keep: number): readonly string[] {
  if (speaker === null || recent[0] === speaker) return recent;
  return [speaker, ...recent.filter((userId) => userId !== speaker)].slice(0, Math.max(1, keep));
}

/**
 * Page `page` of `ordered` (in list order) with `perPage` tiles a page (at least 2), page 1 led
 * by `recent` (most recent speaker first). A page past the end shows the last one.
 */
export function gridPage<Member extends PagedMember>(ordered: readonly Member[], recent: readonly string[], perPage: number, page: number): GridPage<Member> {
  const self = ordered.find((member) => member.self);
  const others = ordered.filter((member) => !member.self);
  const slots = Math.max(1, Math.floor(perPage) - (self === undefined ? 0 : 1));

  const present = new Set(others.map((member) => member.userId));
  const stage = new Set(recent.filter((userId) => present.has(userId)).slice(0, slots));
  const onFirst = new Set(stage);
  for (const member of others) {
    if (onFirst.size >= slots) break;
    onFirst.add(member.userId);
  }
  const first = others.filter((member) => onFirst.has(member.userId));
  const rest = others.filter((member) => !onFirst.has(member.userId));
  const pages: Member[][] = [first];
  for (let start = 0; start < rest.length; start += slots) pages.push(rest.slice(start, start + slots));

  const pageCount = pages.length;
  const shown = Number.isInteger(page) ? Math.min(Math.max(0, page), pageCount - 1) : 0;
  const tiles = [...(self === undefined ? [] : [self]), ...(pages[shown] ?? [])];
  return { tiles, page: shown, pageCount };
}
