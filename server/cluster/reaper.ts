import type { Redis } from 'ioredis';
import { KEY } from './keys';

/**
 * Looks for instances whose heartbeat lapsed and reaps them: their users go offline unless they
 * already reconnected elsewhere, and their calls get the grace period (the reap script in
 * relay-lua.ts does it all atomically, so one survivor reaps and the rest find nothing to do).
 */
export class Reaper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

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
      if (others.length === 0) return;
      const alive = await this.redis.mget(others.map((id) => KEY.heartbeat(id)));
      for (const [index, id] of others.entries()) {
        if (alive[index] === null) await this.reap(id);
      }
    } finally {
      this.running = false;
    }
  }
}
