import type { Publisher } from './videoroom-answers';

/**
 * The room's publishers as Janus lists them, and which to subscribe to: one feed for each other
 * member of the call's MLS group, named by the display it joined with (its user id). Janus's word
 * on who a feed is goes no further than choosing the slot: each receiver opens only frames under
 * that member's key (renderer/workers/frame-pipeline.ts, `boundTo`), so a feed that claims to be
 * someone else plays nothing. A name claimed by two feeds keeps the first.
 */
export class FeedRoster {
  readonly #publishers = new Map<number, string>();
  /** Janus lists every publisher of a room; far more than a meeting has is not honest. */
  static readonly MAX_PUBLISHERS = 256;

  add(publishers: readonly Publisher[]): void {
    for (const { id, display } of publishers) {
      if (!this.#publishers.has(id) && this.#publishers.size >= FeedRoster.MAX_PUBLISHERS) continue;
      this.#publishers.set(id, display);
    }
  }

  remove(id: number): void {
    this.#publishers.delete(id);
  }

  /** Feed id to user id, for every member in `members` other than `selfId` who publishes. */
  wanted(members: ReadonlySet<string>, selfId: string): Map<number, string> {
    const wanted = new Map<number, string>();
    const named = new Set<string>();
    for (const [id, display] of this.#publishers) {
      if (display === selfId || !members.has(display) || named.has(display)) continue;
      named.add(display);
      wanted.set(id, display);
    }
    return wanted;
  }
}
