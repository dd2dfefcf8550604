/**
 * Server capacity and relay latency (issue 3). Run directly: `npx tsx bench/server.bench.ts`.
 *
 * Everything runs on loopback, with bounded counts and time. The server is the real one (the
 * `sealcall-server` bin, as a child process with its fd limit raised to the hard limit); the load
 * comes from separate driver processes, so the server's RSS is its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { fromBase64Url, toBase64Url } from '../shared/crypto/bytes';
import { serializeIdentityKey } from '../shared/crypto/identity';
import { signAuthChallenge } from '../shared/crypto/server-auth';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { openDatabase } from '../server/db/database';
import type { BenchSection } from './bench-section';
import { benchKeys, benchUserId } from './server-bench-keys';
import type { DriverOptions } from './server-load-driver';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin/sealcall-server.js');
const SEED = 'sealcall-server-bench';

export interface ServerBenchOptions {
  /** Idle sockets to hold; default 20 000, or as many as the fd hard limit allows. */
  idleConnections?: number;
  /** Distinct users brought online at once, each authenticating (the "herd"). */
  herdUsers?: number;
  /** Caller/callee pairs for the relay measurements. */
  relayPairs?: number;
  /** Relayed messages a second in the latency run. */
  relayRate?: number;
  relaySeconds?: number;
  throughputSeconds?: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
}

function fdHardLimit(): number {
  const match = /Max open files\s+\d+\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return Number(match?.[1] ?? 1024);
}

/** Spawns a Node script with its soft fd limit raised to the hard limit. */
function spawnWithFds(args: readonly string[], stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  return spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...args], {
    cwd: ROOT,
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => { reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms`)); }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code}`));
    });
  });
}

async function seedUsers(dataDir: string, count: number): Promise<void> {
  const db = openDatabase(dataDir);
  const now = Date.now();
  const insertUser = db.prepare('INSERT INTO users (id, display_name, created_at) VALUES (?, ?, ?)');
  const insertDevice = db.prepare('INSERT INTO devices (user_id, identity_key, device_name, enrolled_at) VALUES (?, ?, ?, ?)');
  const keys = await Promise.all(Array.from({ length: count }, (_, index) => benchKeys(SEED, index)));
  db.transaction(() => {
    keys.forEach((pair, index) => {
      insertUser.run(benchUserId(index), `Bench User ${index}`, now);
      insertDevice.run(benchUserId(index), serializeIdentityKey(pair.publicKey), 'bench', now);
    });
  })();
  db.close();
}

async function scrape(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(name));
  return Number(line?.split(' ').at(-1) ?? NaN);
}

interface Drivers {
  readyAt: number;
  ready: number;
  failed: number;
  bytesReceived: number;
  stop(): Promise<void>;
}

/** Starts `processes` driver processes sharing `count` connections; resolves when all are ready. */
async function drive(url: string, count: number, processes: number, authenticate: boolean, first: number): Promise<Drivers> {
  const started = performance.now();
  const per = Math.ceil(count / processes);
  const children: ChildProcess[] = [];
  const results = await Promise.all(
    Array.from({ length: processes }, (_, index) => {
      const options: DriverOptions = {
        url,
        first: first + index * per,
        count: Math.min(per, count - index * per),
        seed: SEED,
        authenticate,
        localAddresses: Array.from({ length: 16 }, (__, n) => `127.0.${index + 1}.${n + 1}`),
        concurrency: authenticate ? 32 : 128,
      };
      const child = spawnWithFds(['--import', 'tsx', path.join(ROOT, 'bench/server-load-driver.ts'), JSON.stringify(options)], 'pipe');
      children.push(child);
      return waitForLine(child, /\{"type":"ready","ready":(\d+),"failed":(\d+),"bytesReceived":(\d+)\}/, 600_000);
    }),
  );
  return {
    readyAt: performance.now() - started,
    ready: results.reduce((sum, match) => sum + Number(match[1]), 0),
    failed: results.reduce((sum, match) => sum + Number(match[2]), 0),
    bytesReceived: results.reduce((sum, match) => sum + Number(match[3]), 0),
    stop: async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              child.once('exit', () => { resolve(); });
              child.stdin?.end();
            }),
        ),
      );
    },
  };
}

// --- relay latency and throughput -------------------------------------------------------------

interface RelayClient {
  ws: WebSocket;
  id: string;
}

type Flavour = { kind: 'sealcall'; httpUrl: string } | { kind: 'bare' };

/**
 * Opens a client and, for the real server, answers its challenge. The listener is attached before
 * the socket opens: the server's hello can arrive in the same packet as the upgrade response.
 */
function relayClient(url: string, flavour: Flavour, index: number): Promise<RelayClient> {
  const id = benchUserId(index);
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    if (flavour.kind === 'bare') {
      ws.once('open', () => {
        ws.send(JSON.stringify({ register: id }));
        resolve({ ws, id });
      });
      return;
    }
    ws.on('message', function onMessage(data: Buffer) {
      const message = JSON.parse(data.toString('utf8')) as { type: string; serverUrl?: string; nonce?: string; code?: string };
      if (message.type === 'hello' && message.serverUrl !== undefined && message.nonce !== undefined) {
        const { serverUrl, nonce } = message;
        void benchKeys(SEED, index)
          .then((keys) => signAuthChallenge(keys.secretKey, serverUrl, id, fromBase64Url(nonce)))
          .then((signature) => {
            ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'auth', userId: id, signature: toBase64Url(signature) }));
          });
      } else if (message.type === 'welcome') {
        ws.off('message', onMessage);
        resolve({ ws, id });
      } else if (message.type === 'error') {
        reject(new Error(`auth failed: ${message.code ?? ''}`));
      }
    });
  });
}

const AKE = { commitment: toBase64Url(new Uint8Array(32).fill(1)), signature: toBase64Url(new Uint8Array(64).fill(2)) };

interface Pair {
  caller: RelayClient;
  callee: RelayClient;
  serial: number;
  inCall: string | undefined;
}

/** Messages a pair sends in turn: an invite, then its cancel. Both are relayed; invites are timed. */
function nextMessage(pair: Pair): { text: string; callId: string; invite: boolean } {
  if (pair.inCall === undefined) {
    const callId = `${pair.caller.id}-${String(pair.serial++).padStart(12, '0')}`.replace(/[^A-Za-z0-9_-]/g, '_').padEnd(22, '_');
    pair.inCall = callId;
    return {
      callId,
      invite: true,
      text: JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.invite', callId, to: pair.callee.id, media: { audio: true, video: true }, ake: AKE }),
    };
  }
  const callId = pair.inCall;
  pair.inCall = undefined;
  return { callId, invite: false, text: JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.cancel', callId, to: pair.callee.id }) };
}

/** Cumulative counts of the server's relay-latency histogram, by upper bound in seconds. */
async function relayHistogram(httpUrl: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const match of text.matchAll(/^sealcall_relay_latency_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** The smallest bucket bound that holds `p` percent of what was observed between two scrapes. */
function histogramPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const [bound, count] of [...after.entries()].sort(([a], [b]) => a - b)) {
    if (count - (before.get(bound) ?? 0) >= (p / 100) * total) return bound * 1000;
  }
  return Infinity;
}

interface RelayResult {
  /** Server-internal p99 (arrival to hand-off), as a histogram bucket bound; sealcall only. */
  serverP99?: number;
  p50: number;
  p99: number;
  max: number;
  sent: number;
  received: number;
  throughput: number;
  errors: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measureRelay(url: string, flavour: Flavour, pairCount: number, firstIndex: number, rate: number, seconds: number, throughputSeconds: number): Promise<RelayResult> {
  const clients = await Promise.all(Array.from({ length: pairCount * 2 }, (_, n) => relayClient(url, flavour, firstIndex + n)));
  const pairs: Pair[] = Array.from({ length: pairCount }, (_, n) => ({ caller: clients[2 * n] as RelayClient, callee: clients[2 * n + 1] as RelayClient, serial: 0, inCall: undefined }));
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let errors = 0;
  let outstanding = 0;
  for (const client of clients) {
    client.ws.on('message', (data: Buffer) => {
      // Presence and directory updates are the server's business, not the relay's: skip them
      // unparsed, so the measuring client does not add its own queueing to the figures.
      if (!data.includes('"type":"call.') && !data.includes('"type":"error"')) return;
      const message = JSON.parse(data.toString('utf8')) as { type: string; callId?: string };
      if (message.type === 'error') {
        errors += 1;
        return;
      }
      if (message.type === 'call.invite' && message.callId !== undefined) {
        const at = sentAt.get(message.callId);
        if (at !== undefined) latencies.push(performance.now() - at);
        sentAt.delete(message.callId);
      }
      if (message.type === 'call.invite' || message.type === 'call.cancel') {
        received += 1;
        outstanding -= 1;
      }
    });
  }
  const send = (pair: Pair) => {
    const message = nextMessage(pair);
    if (message.invite) sentAt.set(message.callId, performance.now());
    outstanding += 1;
    pair.caller.ws.send(message.text);
  };

  // Warm-up, then a steady rate: a 1 ms tick sends whatever the schedule says is due.
  let sent = 0;
  let cursor = 0;
  const run = async (durationMs: number, record: boolean) => {
    const start = performance.now();
    const base = sent;
    while (performance.now() - start < durationMs) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate) - (sent - base);
      for (let i = 0; i < due; i++) {
        const pair = pairs[cursor++ % pairs.length];
        if (pair) send(pair);
        sent += 1;
      }
      await sleep(1);
    }
    if (!record) latencies.length = 0;
  };
  await run(2000, false);
  const receivedBefore = received;
  const histogramBefore = flavour.kind === 'sealcall' ? await relayHistogram(flavour.httpUrl) : undefined;
  await run(seconds * 1000, true);
  const serverP99 = flavour.kind === 'sealcall' && histogramBefore ? histogramPercentile(histogramBefore, await relayHistogram(flavour.httpUrl), 99) : undefined;
  await sleep(200);
  const steadyReceived = received - receivedBefore;
  const sorted = [...latencies].sort((a, b) => a - b);

  // Throughput: every pair keeps a window of messages in flight, as fast as the relay delivers.
  const WINDOW = 8;
  const tStart = performance.now();
  const tReceivedBefore = received;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (performance.now() - tStart > throughputSeconds * 1000) {
        resolve();
        return;
      }
      while (outstanding < WINDOW * pairs.length) {
        const pair = pairs[cursor++ % pairs.length];
        if (pair) send(pair);
      }
      setImmediate(pump);
    };
    pump();
  });
  const throughput = (received - tReceivedBefore) / ((performance.now() - tStart) / 1000);
  for (const client of clients) client.ws.terminate();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, sent, received: steadyReceived, throughput, errors, ...(serverP99 === undefined ? {} : { serverP99 }) };
}

// --- the run ------------------------------------------------------------------------------------

export async function runServerBench(options: ServerBenchOptions = {}): Promise<BenchSection> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hardLimit = fdHardLimit();
  // The server needs a few dozen fds of its own besides one per socket.
  const idle = Math.min(options.idleConnections ?? 20_000, hardLimit - 64);
  const herd = options.herdUsers ?? 2000;
  // 20 pairs at 100 messages/s each: enough to exercise the relay, few enough that the presence
  // fan-out to the measuring clients (all in this one process) does not add its own queueing.
  const pairs = options.relayPairs ?? 20;
  const rate = options.relayRate ?? 2000;
  const relaySeconds = options.relaySeconds ?? 10;
  const throughputSeconds = options.throughputSeconds ?? 5;

  const dataDir = mkdtempSync(path.join(tmpdir(), 'sealcall-bench-'));
  await seedUsers(dataDir, herd + 2 * pairs);
  // A fresh server for each phase, so that one phase's garbage is not the next one's RSS.
  const startBenchServer = async () => {
    const child = spawnWithFds([
      BIN,
      'start',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      '--max-unauthenticated',
      String(idle + 1000),
      '--max-connections',
      String(idle + 1000),
      '--auth-timeout',
      '10m',
      '--heartbeat',
      '5s',
      // The herd logs in from a few loopback addresses at a rate no real address would.
      '--max-unauthenticated-per-address',
      String(idle + 1000),
      '--connect-rate-per-address',
      '1000000',
      '--connect-burst-per-address',
      '1000000',
      // Lifted so the throughput run measures the relay, not the per-connection limiter.
      '--rate-limit',
      '1000000',
      '--rate-burst',
      '1000000',
    ]);
    const port = Number((await waitForLine(child, /listening on http:\/\/127\.0\.0\.1:(\d+)/, 30_000))[1]);
    await sleep(500);
    return {
      pid: child.pid ?? -1,
      httpUrl: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      stop: async () => {
        child.kill('SIGTERM');
        if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      },
    };
  };
  try {
    // 1. Idle sockets holding their challenge, heartbeating.
    let server = await startBenchServer();
    const baseRss = rssOf(server.pid);
    log(`server up, RSS ${mib(baseRss)} MiB; fd hard limit ${hardLimit}`);
    const idleDrivers = await drive(server.wsUrl, idle, 2, false, 0);
    log(`idle: ${idleDrivers.ready} sockets open in ${(idleDrivers.readyAt / 1000).toFixed(1)} s, ${idleDrivers.failed} failed`);
    await sleep(11_000); // two heartbeats
    const idleHeld = await scrape(server.httpUrl, 'sealcall_connections{state="unauthenticated"}');
    const idleRss = rssOf(server.pid);
    log(`idle: ${idleHeld} held after two heartbeats, RSS ${mib(idleRss)} MiB`);
    await idleDrivers.stop();
    await server.stop();

    // 2. The herd: distinct users authenticating at once, with the directory and presence fan-out.
    server = await startBenchServer();
    const beforeHerd = rssOf(server.pid);
    const herdDrivers = await drive(server.wsUrl, herd, 1, true, 0);
    const herdHeld = await scrape(server.httpUrl, 'sealcall_connections{state="authenticated"}');
    await sleep(11_000);
    const herdRss = rssOf(server.pid);
    log(`herd: ${herdDrivers.ready} users online in ${(herdDrivers.readyAt / 1000).toFixed(1)} s, RSS ${mib(herdRss)} MiB, ${mib(herdDrivers.bytesReceived)} MiB of directory and presence sent`);
    await herdDrivers.stop();
    await server.stop();

    // 3. Relay latency and throughput, against a bare ws relay measured in the same run.
    server = await startBenchServer();
    const sealcall = await measureRelay(server.wsUrl, { kind: 'sealcall', httpUrl: server.httpUrl }, pairs, herd, rate, relaySeconds, throughputSeconds);
    await server.stop();
    log(`relay: p50 ${sealcall.p50.toFixed(2)} ms, p99 ${sealcall.p99.toFixed(2)} ms, throughput ${sealcall.throughput.toFixed(0)}/s, errors ${sealcall.errors}`);
    const bare = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/server-bare-relay.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const barePort = Number((await waitForLine(bare, /bare relay listening on (\d+)/, 30_000))[1]);
    const floor = await measureRelay(`ws://127.0.0.1:${barePort}`, { kind: 'bare' }, pairs, herd, rate, relaySeconds, throughputSeconds);
    bare.kill('SIGTERM');
    log(`floor: p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms, throughput ${floor.throughput.toFixed(0)}/s`);

    const perIdle = (idleRss - baseRss) / Math.max(1, idleHeld);
    const perUser = (herdRss - beforeHerd) / Math.max(1, herdHeld);
    const ratio = sealcall.throughput / floor.throughput;
    const markdown = [
      `The real server (\`sealcall-server start\`, one Node ${process.version} process) on loopback, with load from separate driver processes; ${process.platform}, fd hard limit ${hardLimit}.`,
      `Idle sockets have received their challenge and answer pings (heartbeat 5 s, two rounds before measuring).`,
      `The herd is ${herd} distinct enrolled users authenticating at once with real Ed25519 challenge signatures; each receives the ${herd}-entry directory, and everyone receives everyone's presence, which is O(N²) in messages and bytes.`,
      `Relay latency is from \`call.invite\` sent to \`call.invite\` received, at a steady ${rate} relayed messages/s (invites and their cancels) over ${pairs} caller/callee pairs, against a bare \`ws\` relay (no auth, no schema, no call state) measured in the same run.`,
      '',
      '| Capacity | Connections held | Server RSS | RSS per connection | 20 000 at that rate |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| Idle, heartbeating sockets | ${idleHeld} | ${mib(idleRss)} MiB | ${kib(perIdle)} KiB | ${mib(baseRss + perIdle * 20_000)} MiB (goal ≤ 1024) |`,
      `| Authenticated users (herd of ${herd}) | ${herdHeld} | ${mib(herdRss)} MiB | ${kib(perUser)} KiB | ${mib(beforeHerd + perUser * 20_000)} MiB by memory; the herd itself is O(N²) |`,
      '',
      `Herd: ${herdDrivers.ready} users online ${(herdDrivers.readyAt / 1000).toFixed(1)} s after the first connected (${herdDrivers.failed} failed); ${mib(herdDrivers.bytesReceived)} MiB of directory and presence went out. ` +
        'Bringing 20 000 distinct users online at once would send on the order of 60 GB: with the protocol as specified (the whole directory at every login, everyone\'s presence to everyone) that, not memory, is the limit, and it needs directory versioning and presence subscriptions in the protocol to lift.',
      '',
      '| Relay | p50 | p99 | max | steady msgs relayed | max throughput |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| sealcall-server | ${sealcall.p50.toFixed(2)} ms | ${sealcall.p99.toFixed(2)} ms | ${sealcall.max.toFixed(1)} ms | ${sealcall.received} | ${sealcall.throughput.toFixed(0)} msgs/s |`,
      `| bare ws relay (floor) | ${floor.p50.toFixed(2)} ms | ${floor.p99.toFixed(2)} ms | ${floor.max.toFixed(1)} ms | ${floor.received} | ${floor.throughput.toFixed(0)} msgs/s |`,
      '',
      `Inside the server (arrival to hand-off to the target socket, from its own histogram), p99 ≤ ${sealcall.serverP99?.toFixed(2) ?? '?'} ms.`,
      '',
      `Goals: p99 ≤ 5 ms: ${sealcall.p99 <= 5 ? 'met' : 'not met'} (${sealcall.p99.toFixed(2)} ms). Throughput ≥ 0.7× the floor: ${ratio >= 0.7 ? 'met' : 'not met'} (${ratio.toFixed(2)}×). Relay errors: ${sealcall.errors}.`,
    ].join('\n');
    return { title: 'Server capacity and relay latency', markdown };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runServerBench();
  console.log(`## ${result.title}\n\n${result.markdown}`);
}
