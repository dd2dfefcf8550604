import type { Redis } from 'ioredis';
import { KEY } from './keys';

/**
 * Looks for instances whose heartbeat lapsed and reaps them: their users go offline unless they
 * already reconnected elsewhere, and their calls get the grace period (the reap script in
 * relay-lua.ts does it all atomically, so one survivor reaps and the rest find nothing to do).
 * An instance is reaped only when two looks in a row find it without a heartbeat: heartbeat keys
 * are not persisted (instance-heartbeat.ts), so after a Redis restart or failover every one is
 * missing until its instance beats again, which it does within a third of the TTL, sooner than
 * the next look.
 */
export class Reaper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Instances the previous look found without a heartbeat. */
  private suspects = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly self: string,
    private readonly everyMs: number,
    private readonly reap: (instanceId: string) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => { this.check().catch(this.onError); }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One look; public so a test can run it without waiting. */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const others = (await this.redis.smembers(KEY.instances)).filter((id) => id !== this.self);
      const alive = others.length === 0 ? [] : await this.redis.mget(others.map((id) => KEY.heartbeat(id)));
      const silent = new Set(others.filter((_, index) => alive[index] === null));
      const suspects = this.suspects;
      this.suspects = new Set([...silent].filter((id) => !suspects.has(id)));
      for (const id of silent) if (suspects.has(id)) await this.reap(id);
    } finally {
      this.running = false;
    }
  }
}
