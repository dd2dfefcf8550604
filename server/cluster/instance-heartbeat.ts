import type { Redis } from 'ioredis';
import { KEY } from './keys';

/*
 * KEYS: the instances set, this instance's heartbeat key; ARGV: instance id, TTL (ms). Returns 1
 * when the id was not in the set. The heartbeat key is kept out of the append-only file and
 * replicas (redis.set_repl): with appendfsync always, each write makes Redis wait for the disk,
 * and every call message in flight waits with it; a beat every second or two made those waits the
 * cross-instance relay's slowest messages. A key that lives a few seconds needs no disk. After a
 * Redis restart or failover the keys are gone until each live instance beats again, which is why
 * the reaper takes an instance for dead only at its second look (reaper.ts).
 */
const BEAT = `
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.set_repl(redis.REPL_NONE)
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return added
`;

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
    const added = await this.redis.eval(BEAT, 2, KEY.instances, KEY.heartbeat(this.instanceId), this.instanceId, String(this.ttlMs));
    // Back in the set means a reaper had taken it out: the registry no longer routes to our sessions.
    if (this.started && added === 1) this.onReaped();
  }
}
