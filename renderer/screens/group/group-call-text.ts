/** The words of the group call screen that depend on state, kept apart so they can be tested. */

/** `busy`: an invitee's app declined the ring because they are in another call. `hand`: they raised their hand. */
export type NoticeKind = 'joined' | 'left' | 'removed' | 'busy' | 'hand';

/** One join or leave, as the screen announces it; `id` is unique per event (the same person may join twice). */
export interface GroupNotice {
  id: string;
  kind: NoticeKind;
  /** The member's short name (participant-order's shortNames), so two Danas are told apart. */
  name: string;
}

export function noticeText(notice: Pick<GroupNotice, 'kind' | 'name'>): string {
  switch (notice.kind) {
    case 'joined':
      return `${notice.name} joined`;
    case 'left':
      return `${notice.name} left`;
    case 'removed':
      return `${notice.name} was removed from the call`;
    case 'busy':
      return `${notice.name} is busy in another call`;
    case 'hand':
      return `${notice.name} raised their hand`;
  }
}

/** How a member's media is doing, from the engine. */
export type TileConnection = 'connecting' | 'connected' | 'reconnecting' | 'cant-decrypt';

/** What a tile says over its picture, or null when all is well. */
export function tileStateText(connection: TileConnection): string | null {
  switch (connection) {
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'cant-decrypt':
      return "Can't decrypt";
    case 'connected':
      return null;
  }
}

/** What a screen reader hears for a tile's name: whose it is, a changed key, a raised hand, and what is off. */
export function tileSummary(name: string, self: boolean, muted: boolean, cameraOff: boolean, keyChanged = false, handRaised = false): string {
  const parts = [self ? `${name} (you)` : name];
  if (keyChanged && !self) parts.push('safety number changed');
  if (handRaised) parts.push('hand raised');
  if (muted) parts.push('microphone off');
  if (cameraOff) parts.push('camera off');
  return parts.join(', ');
}

const GROUP_CODE_DIGITS = 20;

/**
 * The group security code's 20 digits without the spaces shared/crypto/group-security-code.ts
 * puts between groups, or null for anything else: a malformed code is not shown as if it could
 * be compared.
 */
export function groupCodeDigits(code: string | null): string | null {
  if (code === null) return null;
  const digits = code.replace(/ /gu, '');
  return digits.length === GROUP_CODE_DIGITS && /^[0-9]+$/u.test(digits) ? digits : null;
}

/** "Page 2 of 6": the grid's pager, as a screen reader hears it. */
export function pageText(page: number, pageCount: number): string {
  return `Page ${page + 1} of ${pageCount}`;
}

/** "3 people", "1 person": the Participants button and the list's heading. */
export function peopleCount(count: number): string {
  return count === 1 ? '1 person' : `${count} people`;
}
