/**
 * Several instances over Redis (issue 13): relay latency for calls whose two parties sit on
 * different instances, against one instance measured in the same run; and failover: the instance
 * holding both parties of a call is killed (SIGKILL) mid-call, and the real app connection class
 * (electron/core/connection/server-connection.ts, with its own reconnect backoff) brings both back
 * through a load balancer to the survivor, where the call is resumed.
 *
 * Run alone: `npx tsx bench/run.ts cluster`. Needs Debian's redis-server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { toBase64Url } from '../shared/crypto/bytes';
import type { IdentityKeyPair } from '../shared/crypto/identity';
import { parseClientMessage, PROTOCOL_VERSION, type ServerMessage } from '../shared/protocol';
import { ServerConnection, type ConnectionStatus } from '../electron/core/connection/server-connection';
import { startRedis, type RedisProcess } from '../server/test-support/redis-server.fixture';
import { BenchClient } from './bench-client';
import { ROOT, sleep } from './bench-process';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { seedUsers } from './bench-seed';
import { startBenchServer, type BenchServer } from './bench-server';
import { markdownTable, median, ms, verdict } from './bench-stats';
import { measureRelay, type RelayResult } from './relay-load';
import { benchKeys, benchUserId } from './server-bench-keys';
import { TcpBalancer } from '../e2e/harness/tcp-balancer';

const SEED = 'sealcall-cluster-bench';
const PAIRS = 20;
const RATE = 2000;
const RELAY_SECONDS = 10;
const THROUGHPUT_SECONDS = 5;
const FAILOVERS = 5;
/**
 * Users: a block of relay pairs for each of the four cluster relay runs (call state lives in
 * Redis, so a run's calls left in their grace period must not meet the next run), then two per
 * failover repetition.
 */
const RELAY_BLOCK = 2 * PAIRS;
const FIRST_FAILOVER_USER = 4 * RELAY_BLOCK;
const USERS = FIRST_FAILOVER_USER + 2 * FAILOVERS;

interface Cluster {
  redis: RedisProcess;
  balancer: TcpBalancer;
  publicUrl: string;
  instances: BenchServer[];
}

/** Copies a seeded SQLite store into Redis once, as a company growing to two instances does. */
async function seedRedis(redisUrl: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sealcall-cluster-seed-'));
  try {
    await seedUsers(dataDir, SEED, USERS);
    execFileSync(process.execPath, [path.join(ROOT, 'bin/sealcall-server.js'), 'migrate-to-redis', '--data-dir', dataDir, '--redis', redisUrl], { cwd: ROOT, stdio: 'ignore' });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function startInstance(cluster: Pick<Cluster, 'redis' | 'publicUrl'>): Promise<BenchServer> {
  return startBenchServer({ connections: 2000, args: ['--redis', cluster.redis.url, '--public-url', cluster.publicUrl] });
}

/** One party of a call, driven by the app's own ServerConnection. */
class Party {
  status: ConnectionStatus = { state: 'offline' };
  readonly messages: ServerMessage[] = [];
  /** Called after every status change and message, for the waits below. */
  readonly watchers = new Set<() => void>();
  readonly connection: ServerConnection;

  constructor(
    readonly userId: string,
    identity: IdentityKeyPair,
    publicUrl: string,
  ) {
    this.connection = new ServerConnection({
      serverUrl: publicUrl,
      userId,
      identity,
      // In a call, as during the failover: the app's retries then come at most 2 s apart.
      urgent: () => true,
      onStatus: (status) => {
        this.status = status;
        this.notify();
      },
      onMessage: (message) => {
        this.messages.push(message);
        this.notify();
      },
    });
  }

  /** Sends a call message (checked against the protocol's schema first) to `to` about `callId`. */
  send(to: Party, callId: string, type: string, body: Record<string, unknown> = {}): void {
    const message = parseClientMessage({ v: PROTOCOL_VERSION, type, callId, to: to.userId, ...body });
    if (!this.connection.send(message)) throw new Error(`failover: ${this.userId} could not send ${type}`);
  }

  receivedSince(mark: number, type: string): boolean {
    return this.messages.slice(mark).some((message) => message.type === type);
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }
}

function until(parties: readonly Party[], condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!condition()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`failover: ${what} not within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      for (const p of parties) p.watchers.delete(check);
    };
    for (const p of parties) p.watchers.add(check);
    check();
  });
}

const fingerprint = `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`;
const reveal = { ephemeralKey: toBase64Url(new Uint8Array(32).fill(3)), fingerprint, signature: toBase64Url(new Uint8Array(64).fill(4)) };
const commit = { commitment: toBase64Url(new Uint8Array(32).fill(1)), signature: toBase64Url(new Uint8Array(64).fill(2)) };

/** One failover: ms from the kill until both are authenticated again, and until the call goes on. */
async function failover(cluster: Cluster, repetition: number): Promise<{ online: number; resumed: number }> {
  const [first, second] = [await startInstance(cluster), await startInstance(cluster)];
  cluster.instances = [first, second];
  // Everyone lands on the first instance, so killing it takes both parties of the call.
  cluster.balancer.setBackends([first.port, second.port]);
  const callerIndex = FIRST_FAILOVER_USER + 2 * repetition;
  const caller = new Party(benchUserId(callerIndex), await benchKeys(SEED, callerIndex), cluster.publicUrl);
  const callee = new Party(benchUserId(callerIndex + 1), await benchKeys(SEED, callerIndex + 1), cluster.publicUrl);
  const both = [caller, callee] as const;
  const callId = `${toBase64Url(new Uint8Array(16).fill(repetition + 1))}bench`;
  try {
    for (const p of both) p.connection.start();
    await until(both, () => both.every((p) => p.status.state === 'online'), 10_000, 'both online at first');
    caller.send(callee, callId, 'call.invite', { media: { audio: true, video: false }, ake: commit });
    await until(both, () => callee.receivedSince(0, 'call.invite'), 5_000, 'invite');
    callee.send(caller, callId, 'call.accept', { media: { audio: true, video: false }, ake: reveal });
    await until(both, () => caller.receivedSince(0, 'call.accept'), 5_000, 'accept');
    caller.send(callee, callId, 'call.confirm', { ake: reveal });
    await until(both, () => callee.receivedSince(0, 'call.confirm'), 5_000, 'confirm');

    // Each side, once it has noticed the loss and is authenticated again, claims the call (as the
    // app's call engine does). Once both have claimed it, each sends one signal: only a call the
    // survivor took up again relays it. (A signal sent while the other side is still away would be
    // lost in one instance too: the relay holds only the first claimant's signals until the other claims.)
    const marks = new Map(both.map((p) => [p, p.messages.length]));
    const dropped = new Set<Party>();
    const onlineAt = new Map<Party, number>();
    const other = (p: Party) => (p === caller ? callee : caller);
    for (const p of both) {
      p.watchers.add(() => {
        if (p.status.state !== 'online') dropped.add(p);
        else if (dropped.has(p) && !onlineAt.has(p)) {
          onlineAt.set(p, performance.now());
          p.send(other(p), callId, 'call.resume', { role: p === caller ? 'caller' : 'callee' });
        }
      });
    }
    const killedAt = performance.now();
    await first.kill();
    await until(both, () => onlineAt.size === 2, 30_000, 'both online again');
    const online = Math.max(...onlineAt.values()) - killedAt;
    for (const p of both) p.send(other(p), callId, 'call.signal', { data: { renegotiate: true } });
    await until(both, () => both.every((p) => p.receivedSince(marks.get(p) ?? 0, 'call.signal')), 30_000, 'signals after both claims');
    const resumed = performance.now() - killedAt;
    const refusals = both.flatMap((p) => p.messages.slice(marks.get(p) ?? 0).filter((message) => message.type === 'error'));
    if (refusals.length > 0) throw new Error(`failover: refused after resume: ${JSON.stringify(refusals)}`);
    caller.send(callee, callId, 'call.hangup', { reason: 'hangup' });
    return { online, resumed };
  } finally {
    for (const p of both) p.connection.close();
    await Promise.all(cluster.instances.map((instance) => instance.stop()));
  }
}

function relayRow(label: string, traffic: 'setup' | 'in-call', result: RelayResult): string[] {
  return [label, traffic === 'setup' ? 'set-up' : 'in call', `${result.p50.toFixed(2)} ms`, `${result.p99.toFixed(2)} ms`, `${result.max.toFixed(1)} ms`, String(result.received), `${result.throughput.toFixed(0)} msgs/s`, String(result.errors)];
}

export async function runClusterBench(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<BenchSection> {
  const redis = await startRedis();
  const balancer = await TcpBalancer.start([], 0, 'first-live');
  const cluster: Cluster = { redis, balancer, publicUrl: `ws://127.0.0.1:${String(balancer.port)}/ws`, instances: [] };
  const oneDir = mkdtempSync(path.join(tmpdir(), 'sealcall-cluster-one-'));
  try {
    await seedRedis(redis.url);
    const relayOver = (callerUrl: string, calleeUrl: string, histogramUrl: string, traffic: 'setup' | 'in-call', block: number) =>
      measureRelay({
        connect: async (index, side) => {
          const client = await BenchClient.connect(side === 'caller' ? callerUrl : calleeUrl, SEED, index);
          return { ws: client.ws, id: client.userId };
        },
        pairs: PAIRS,
        firstIndex: block * RELAY_BLOCK,
        rate: RATE,
        seconds: RELAY_SECONDS,
        throughputSeconds: THROUGHPUT_SECONDS,
        histogramUrl,
        traffic,
      });
    type Where = 'across' | 'within' | 'single';
    type Traffic = 'setup' | 'in-call';
    const results = new Map<string, RelayResult>();
    const relay = (where: Where, traffic: Traffic): RelayResult => {
      const result = results.get(`${where}/${traffic}`);
      if (result === undefined) throw new Error(`cluster: no ${where} ${traffic} relay figure`);
      return result;
    };
    const measured = (where: Where, traffic: Traffic, result: RelayResult) => {
      results.set(`${where}/${traffic}`, result);
      log(`cluster relay ${where}, ${traffic}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, throughput ${result.throughput.toFixed(0)}/s, errors ${String(result.errors)}`);
    };
    const traffics = ['in-call', 'setup'] as const;
    const loadBefore = loadavg()[0] ?? NaN;

    // 1. Two instances: callers on one, callees on the other (direct, not through the balancer);
    // then both parties on the same one. Fresh instances for each traffic, so no state carries over.
    for (const [index, traffic] of traffics.entries()) {
      const [a, b] = [await startInstance(cluster), await startInstance(cluster)];
      cluster.instances = [a, b];
      measured('across', traffic, await relayOver(a.wsUrl, b.wsUrl, a.httpUrl, traffic, 2 * index));
      measured('within', traffic, await relayOver(b.wsUrl, b.wsUrl, b.httpUrl, traffic, 2 * index + 1));
      await Promise.all([a.stop(), b.stop()]);
      cluster.instances = [];
    }
    // 2. One instance without Redis (the default deployment), the same users in SQLite.
    await seedUsers(oneDir, SEED, USERS);
    for (const traffic of traffics) {
      const one = await startBenchServer({ connections: 2000, args: ['--data-dir', oneDir] });
      // A fresh server each time: its calls live in its memory, so block 0 serves both runs.
      measured('single', traffic, await relayOver(one.wsUrl, one.wsUrl, one.httpUrl, traffic, 0));
      await one.stop();
    }

    const loadAfter = loadavg()[0] ?? NaN;

    // 3. Failover.
    const runs: { online: number; resumed: number }[] = [];
    for (let repetition = 0; repetition < FAILOVERS; repetition += 1) {
      const result = await failover(cluster, repetition);
      log(`failover ${String(repetition + 1)}: both online ${result.online.toFixed(0)} ms, call resumed ${result.resumed.toFixed(0)} ms after the kill`);
      runs.push(result);
      await sleep(500);
    }
    const onlineMedian = median(runs.map((run) => run.online));
    const resumedMedian = median(runs.map((run) => run.resumed));

    const markdown = [
      `Redis (Debian's redis-server, appendonly with fsync on every write, as cluster mode requires) and server instances (\`sealcall-server start --redis\`, Node ${process.version}) as separate processes on loopback, all on the same 2 shared cores as the measuring client. ` +
        `Relay latency is from a message sent to the same message received, at a steady ${String(RATE)} relayed messages/s over ${String(PAIRS)} caller/callee pairs, after 2 s of warm-up, for ${String(RELAY_SECONDS)} s; ` +
        `then max throughput with 8 messages in flight per pair for ${String(THROUGHPUT_SECONDS)} s. Every row is measured in this run. Across instances, every message goes caller → instance A → Redis → instance B → callee, ` +
        'with one Redis round trip for A: the relay script that checks the message also publishes it on B\'s channel, and B sends its text on as A serialised it. ' +
        `Load average (1 min) on the machine: ${loadBefore.toFixed(1)} when the relay runs started, ${loadAfter.toFixed(1)} when they ended (other work shares the cores: the higher, the less the tails say about the relay).`,
      '',
      markdownTable(['relay', 'traffic', 'p50', 'p99', 'max', 'steady msgs relayed', 'max throughput', 'errors'], [
        ...traffics.flatMap((traffic) => [
          relayRow('two instances, parties on different instances', traffic, relay('across', traffic)),
          relayRow('two instances, both parties on one', traffic, relay('within', traffic)),
          relayRow('one instance without Redis (same-run baseline)', traffic, relay('single', traffic)),
        ]),
      ]),
      '',
      'Traffic "in call" is `call.signal` (ICE candidates) between the two parties of accepted calls, each timed: what a call in progress sends through the relay. ' +
        'Traffic "set-up" is `call.invite` then `call.cancel` in turn (invites timed): every message creates or ends a call, whose state lives in Redis in cluster mode.',
      '',
      `Goal: p99 across instances ≤ 5 ms for calls in progress: ${verdict(relay('across', 'in-call').p99 <= 5)} (${relay('across', 'in-call').p99.toFixed(2)} ms; the one instance's ${relay('single', 'in-call').p99.toFixed(2)} ms). ` +
        `For set-up churn: ${verdict(relay('across', 'setup').p99 <= 5)} (${relay('across', 'setup').p99.toFixed(2)} ms; the one instance's ${relay('single', 'setup').p99.toFixed(2)} ms).`,
      '',
      `Failover, ${String(FAILOVERS)} repetitions: both parties of a connected call sit on instance A (through a TCP balancer, \`e2e/harness/tcp-balancer.ts\`, that sends new connections to the first live backend, as IT's nginx or HAProxy would with A first); A is killed with SIGKILL. ` +
        "Each party is the app's own `ServerConnection` (electron/core/connection/server-connection.ts) with its real reconnect backoff (500 ms base, jittered between half and all of it, at most 2 s apart while in a call); " +
        'when it is online again it sends `call.resume`, and once both have, each sends one `call.signal`. "Call resumed" is when each side has received the other\'s signal through the survivor, which relays signals only in a call it took up again.',
      '',
      markdownTable(['failover (from SIGKILL)', ...runs.map((_, index) => `#${String(index + 1)}`), 'median', 'goal', ''], [
        ['both authenticated again on B', ...runs.map((run) => `${ms(run.online)} ms`), `${ms(onlineMedian)} ms`, '', ''],
        ['call resumed (both signals through)', ...runs.map((run) => `${ms(run.resumed)} ms`), `${ms(resumedMedian)} ms`, '≤ 3000 ms', verdict(resumedMedian <= 3000)],
      ]),
    ].join('\n');
    return { title: 'Cluster: two instances over Redis', markdown };
  } finally {
    await Promise.all(cluster.instances.map((instance) => instance.stop()));
    await balancer.close();
    await redis.stop();
    rmSync(oneDir, { recursive: true, force: true });
  }
}

await printWhenRunDirectly(import.meta.url, () => runClusterBench());
