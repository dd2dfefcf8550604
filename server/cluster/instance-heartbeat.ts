import type { Redis } from 'ioredis';
import { KEY } from './keys';

/**
 * Keeps this instance's heartbeat key alive: it expires `ttlMs` after the last beat, which is how
 * the others learn an instance died without a goodbye (SIGKILL, a lost machine).
 */
export class InstanceHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
    private readonly ttlMs: number,
    /** This instance was taken for dead and reaped while it still ran (a long stall, a partition). */
    private readonly onReaped: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.started = true;
    // Three beats a TTL: one lost beat (a slow Redis round trip) does not make this instance dead.
    this.timer = setInterval(() => { this.beat().catch(this.onError); }, Math.max(10, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(KEY.heartbeat(this.instanceId));
  }

  private async beat(): Promise<void> {
    const replies = await this.redis.multi().set(KEY.heartbeat(this.instanceId), '1', 'PX', this.ttlMs).sadd(KEY.instances, this.instanceId).exec();
    // Back in the set means a reaper had taken it out: the registry no longer routes to our sessions.
    const added = replies?.[1]?.[1];
    if (this.started && added === 1) this.onReaped();
  }
}
