import { fromBase64Url, toBase64Url } from '../../shared/crypto/bytes';
import { PROTOCOL_VERSION, type OutgoingGroupMessage, type ServerMessage } from '../../shared/protocol';
import { TokenBucket } from '../limits/rate-limit';
import type { KeyPackageStore } from '../store/store';
import type { GroupRefusal } from './group-rules';

/*
 * keys.publish and keys.fetch (docs/protocol.md, "Key packages"). A session that published is
 * one whose app speaks group calls: only such a session is rung for one, so an app that predates
 * group calls never receives a message type it does not know.
 */

/** A batch replaces the last one: a few at once (a login, a retry), then one every 10 s. */
const PUBLISH_BURST = 5;
const PUBLISH_PER_SECOND = 0.1;

type Publish = Extract<OutgoingGroupMessage, { type: 'keys.publish' }>;
type Fetch = Extract<OutgoingGroupMessage, { type: 'keys.fetch' }>;

export class KeyPackageDesk {
  /** Users whose current session published. */
  private readonly published = new Set<string>();
  private readonly budgets = new Map<string, TokenBucket>();

  constructor(
    private readonly store: KeyPackageStore,
    private readonly deliver: (userId: string, message: ServerMessage) => void,
    /** Told when a session first becomes one that can be rung. */
    private readonly nowRingable: (userId: string) => void,
  ) {}

  canRing(userId: string): boolean {
    return this.published.has(userId);
  }

  async publish(from: string, message: Publish): Promise<GroupRefusal | undefined> {
    let budget = this.budgets.get(from);
    if (!budget) {
      budget = new TokenBucket(PUBLISH_PER_SECOND, PUBLISH_BURST);
      this.budgets.set(from, budget);
    }
    if (!budget.take()) {
      // The set stored before stays, and this session still speaks group calls: a client that
      // reconnects often is still rung, it just cannot rewrite its set each time.
      this.becameRingable(from);
      return { code: 'rate-limited', message: 'KeyPackages are published at login; at most one batch every 10 s after the first few: the previous batch stays' };
    }
    const outcome = await this.store.publish(from, message.packages.map(fromBase64Url), fromBase64Url(message.lastResort));
    if (outcome === 'no-device') return { code: 'revoked', message: 'you have no enrolled device' };
    this.deliver(from, { v: PROTOCOL_VERSION, type: 'keys.published', oneTime: message.packages.length });
    this.becameRingable(from);
    return undefined;
  }

  /** One package per asked user (whom the group relay has already allowed), consumed. */
  async fetch(from: string, message: Fetch): Promise<undefined> {
    const found = await this.store.take(message.users);
    const asked = [...new Set(message.users)];
    this.deliver(from, {
      v: PROTOCOL_VERSION,
      type: 'keys.packages',
      groupId: message.groupId,
      packages: asked.flatMap((userId) => {
        const bytes = found.get(userId);
        return bytes ? [{ userId, package: toBase64Url(bytes) }] : [];
      }),
      missing: asked.filter((userId) => !found.has(userId)),
    });
    return undefined;
  }

  private becameRingable(userId: string): void {
    if (this.published.has(userId)) return;
    this.published.add(userId);
    this.nowRingable(userId);
  }

  /** The user's session is gone: the next one is rung only once it publishes again. */
  sessionGone(userId: string): void {
    this.published.delete(userId);
    // The budget is kept while it is spent, so reconnecting does not refill it.
    const budget = this.budgets.get(userId);
    if (budget?.full()) this.budgets.delete(userId);
  }
}
