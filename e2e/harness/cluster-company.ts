import { removeDataDir, startServerProcess, tempDataDir, type ServerProcess } from '../../server/test-support/harness.fixture';
import { startRedis, type RedisProcess } from '../../server/test-support/redis-server.fixture';
import { Company, RING_FOR } from './company';
import { freeTcpPort } from './free-ports';
import type { HarnessEnvironment } from './harness-environment';
import { TcpBalancer } from './tcp-balancer';

/** Starts one instance; a loaded machine can miss the start-up deadline, so it gets three tries, as Company.open does. */
async function startInstance(dataDir: string, args: readonly string[]): Promise<ServerProcess> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      return await startServerProcess({ dataDir, args });
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`an instance did not start in 3 attempts:\n${failures.join('\n')}`);
}

/*
 * A company served by two instances in cluster mode, as docs/deployment.md sets it up: a real
 * redis-server (the shared store and the bus), two real server processes with one --public-url
 * (the balancer's), and the test balancer in front. Users are enrolled through `company`, exactly
 * as with one server; the admin CLI acts on the Redis store.
 */
export class ClusterCompany {
  private constructor(
    readonly company: Company,
    readonly instances: readonly ServerProcess[],
    readonly balancer: TcpBalancer,
    private readonly redis: RedisProcess,
    private readonly dataDirs: readonly string[],
  ) {}

  static async open(harness: HarnessEnvironment, serverArgs: readonly string[] = []): Promise<ClusterCompany> {
    const redis = await startRedis();
    // Each instance gets an empty data directory it does not use: everything is in Redis.
    const dataDirs = [tempDataDir(), tempDataDir()];
    const started: ServerProcess[] = [];
    let balancer: TcpBalancer | undefined;
    try {
      const ports = [await freeTcpPort(), await freeTcpPort()];
      balancer = await TcpBalancer.start(ports, await freeTcpPort());
      const args = ['--redis', redis.url, '--public-url', `ws://127.0.0.1:${balancer.port}/ws`, '--invite-timeout', RING_FOR, ...serverArgs];
      for (const [index, port] of ports.entries()) started.push(await startInstance(dataDirs[index] ?? tempDataDir(), [...args, '--port', String(port)]));
      const [first] = started;
      if (first === undefined) throw new Error('no instance started');
      return new ClusterCompany(Company.adopt(harness, first, ['--redis', redis.url]), started, balancer, redis, dataDirs);
    } catch (error) {
      await Promise.all(started.map((instance) => instance.stop('SIGKILL')));
      await balancer?.close();
      await redis.stop();
      for (const dataDir of dataDirs) removeDataDir(dataDir);
      throw error;
    }
  }

  /** The instance the most connections go through now: with two apps online, it holds at least one. */
  busiestInstance(): ServerProcess {
    const counts = this.balancer.openConnections();
    const [busiest] = [...this.instances].sort((x, y) => (counts.get(y.port) ?? 0) - (counts.get(x.port) ?? 0));
    if (busiest === undefined) throw new Error('no instances');
    return busiest;
  }

  async close(): Promise<void> {
    await this.company.close();
    await Promise.all(this.instances.map((instance) => instance.stop()));
    await this.balancer.close();
    await this.redis.stop();
    for (const dataDir of this.dataDirs) removeDataDir(dataDir);
  }
}
