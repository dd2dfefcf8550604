import { MAX_PRESENCE_SUBSCRIPTIONS, PROTOCOL_VERSION, type Presence } from '../../shared/protocol';
import { textFrame } from '../ws/frame';

/** A session as the board sees it: who it is, and a way to hand it framed messages. */
export interface PresenceSubscriber {
  readonly userId: string;
  sendFrames(frames: readonly Buffer[]): void;
}

export type SubscribeOutcome = { ok: true; snapshot: { id: string; presence: Presence }[] } | { ok: false; message: string };

export interface PresenceBoardOptions {
  /** How often changes go out: at most one `presence` per user per flush, with the latest state. */
  flushMs: number;
  /** Whether an id is in the directory; anything else is ignored, so the board is no oracle. */
  isListed: (userId: string) => boolean;
}

/**
 * Who is online, busy or offline, and which sessions follow whom (docs/protocol.md, "Presence").
 * A change costs one message to each session subscribed to that user and nothing to anyone else;
 * a session starts following nobody, and its subscriptions go when it leaves.
 *
 * Changes are batched: at most every `flushMs`, each changed user's latest state goes out once, and
 * each subscriber gets its whole share in one write. A call shorter than that never shows as busy;
 * a quarter-second lag on a hint for people is not visible.
 */
export class PresenceBoard {
  /** Users not offline. */
  private readonly states = new Map<string, Presence>();
  /** What subscribers were last told, per user (absent: offline). */
  private readonly published = new Map<string, Presence>();
  private readonly dirty = new Set<string>();
  /** Users a snapshot reported mid-batch: published at the flush even if back where they were. */
  private readonly forced = new Set<string>();
  private readonly followers = new Map<string, Set<PresenceSubscriber>>();
  private readonly following = new Map<PresenceSubscriber, Set<string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PresenceBoardOptions) {}

  presenceOf(userId: string): Presence {
    return this.states.get(userId) ?? 'offline';
  }

  /** Records a user's presence; their followers hear it at the next flush if it changed. */
  set(userId: string, presence: Presence): void {
    if (presence === 'offline') this.states.delete(userId);
    else this.states.set(userId, presence);
    this.dirty.add(userId);
    this.timer ??= setTimeout(() => { this.flush(); }, this.options.flushMs);
  }

  /**
   * Removes `remove`, then adds `add` (ids not in the directory are ignored), and returns the
   * presence of those added. All or nothing: a change that would exceed the session's bound is
   * refused whole.
   */
  subscribe(subscriber: PresenceSubscriber, add: readonly string[], remove: readonly string[]): SubscribeOutcome {
    const current = this.following.get(subscriber) ?? new Set<string>();
    const removing = new Set(remove.filter((id) => current.has(id)));
    const adding = new Set(add.filter((id) => this.options.isListed(id)));
    let after = current.size - removing.size;
    for (const id of adding) if (!current.has(id) || removing.has(id)) after += 1;
    if (after > MAX_PRESENCE_SUBSCRIPTIONS) {
      return {
        ok: false,
        message: `a session may follow the presence of at most ${MAX_PRESENCE_SUBSCRIPTIONS} users; this change would make ${after}: remove some first`,
      };
    }
    for (const id of removing) this.unfollow(subscriber, current, id);
    const snapshot: { id: string; presence: Presence }[] = [];
    for (const id of adding) {
      current.add(id);
      let set = this.followers.get(id);
      if (!set) this.followers.set(id, (set = new Set()));
      set.add(subscriber);
      const presence = this.presenceOf(id);
      snapshot.push({ id, presence });
      if (this.dirty.has(id)) this.forced.add(id);
    }
    if (current.size > 0) this.following.set(subscriber, current);
    else this.following.delete(subscriber);
    return { ok: true, snapshot };
  }

  /** A session left: it follows nobody any more. */
  drop(subscriber: PresenceSubscriber): void {
    const current = this.following.get(subscriber);
    if (!current) return;
    for (const id of current) this.unfollow(subscriber, current, id);
    this.following.delete(subscriber);
  }

  /** A user left the directory (revoked): no state, no followers, nothing pending. */
  forget(userId: string): void {
    this.states.delete(userId);
    this.published.delete(userId);
    this.dirty.delete(userId);
    this.forced.delete(userId);
    const set = this.followers.get(userId);
    if (!set) return;
    for (const subscriber of set) {
      const current = this.following.get(subscriber);
      current?.delete(userId);
      if (current?.size === 0) this.following.delete(subscriber);
    }
    this.followers.delete(userId);
  }

  /** How many sessions follow `userId` (what one change of theirs costs). */
  followerCount(userId: string): number {
    return this.followers.get(userId)?.size ?? 0;
  }

  /** How many users `subscriber` follows. */
  followingCount(subscriber: PresenceSubscriber): number {
    return this.following.get(subscriber)?.size ?? 0;
  }

  /** Sends what changed since the last flush; public so a test can run it without the timer. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const outgoing = new Map<PresenceSubscriber, Buffer[]>();
    for (const userId of this.dirty) {
      const presence = this.presenceOf(userId);
      const changed = (this.published.get(userId) ?? 'offline') !== presence;
      if (!changed && !this.forced.has(userId)) continue;
      if (presence === 'offline') this.published.delete(userId);
      else this.published.set(userId, presence);
      const set = this.followers.get(userId);
      if (!set) continue;
      const frame = textFrame(Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, type: 'presence', userId, presence })));
      for (const subscriber of set) {
        const frames = outgoing.get(subscriber);
        if (frames) frames.push(frame);
        else outgoing.set(subscriber, [frame]);
      }
    }
    this.dirty.clear();
    this.forced.clear();
    for (const [subscriber, frames] of outgoing) subscriber.sendFrames(frames);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private unfollow(subscriber: PresenceSubscriber, current: Set<string>, id: string): void {
    current.delete(id);
    const set = this.followers.get(id);
    set?.delete(subscriber);
    if (set?.size === 0) this.followers.delete(id);
  }
}
