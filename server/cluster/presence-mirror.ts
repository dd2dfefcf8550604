import type { Redis } from 'ioredis';
import type { Presence } from '../../shared/protocol';
import { KEY } from './keys';

/**
 * Every instance's copy of who is online somewhere in the cluster and who is in a call, kept
 * current from the presence channel (whose events the relay's scripts publish in the order they
 * happened). Each instance tells only its own sessions about a change.
 */
export class PresenceMirror {
  private readonly online = new Set<string>();
  private readonly busy = new Set<string>();

  constructor(private readonly changed: (userId: string) => void) {}

  /** Reads the current state; call after subscribing, so no event falls between the two. */
  async load(redis: Redis): Promise<void> {
    const [online, busy] = await Promise.all([redis.hkeys(KEY.sessions), redis.smembers(KEY.busy)]);
    const before = new Set([...this.online, ...this.busy]);
    this.online.clear();
    this.busy.clear();
    for (const userId of online) this.online.add(userId);
    for (const userId of busy) this.busy.add(userId);
    for (const userId of new Set([...before, ...online, ...busy])) this.changed(userId);
  }

  /** One event from the presence channel: `on|user`, `off|user`, `busy|user` or `free|user`. */
  apply(event: string): void {
    const bar = event.indexOf('|');
    const kind = event.slice(0, bar);
    const userId = event.slice(bar + 1);
    if (bar <= 0 || userId.length === 0) return;
    if (kind === 'on') this.online.add(userId);
    else if (kind === 'off') this.online.delete(userId);
    else if (kind === 'busy') this.busy.add(userId);
    else if (kind === 'free') this.busy.delete(userId);
    else return;
    this.changed(userId);
  }

  presenceOf(userId: string): Presence {
    if (!this.online.has(userId)) return 'offline';
    return this.busy.has(userId) ? 'busy' : 'online';
  }

  isBusy(userId: string): boolean {
    return this.busy.has(userId);
  }

  /** Users in a call or ringing, across the cluster. */
  get busyCount(): number {
    return this.busy.size;
  }
}
