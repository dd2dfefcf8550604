/**
 * Server capacity and relay latency (issue 3). Run directly: `npx tsx bench/server.bench.ts`.
 *
 * Everything runs on loopback, with bounded counts and time. The server is the real one (the
 * `sealcall-server` bin, as a child process with its fd limit raised to the hard limit); the load
 * comes from separate driver processes, so the server's RSS is its own. Logins at scale (the
 * directory and presence) are the company-scale section's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { BenchClient } from './bench-client';
import { fdHardLimit, ROOT, rssOf, sleep, spawnWithFds, stopChild, waitForLine } from './bench-process';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { seedUsers } from './bench-seed';
import { scrapeMetric, startBenchServer } from './bench-server';
import { measureRelay, type RelayClient, type RelayResult } from './relay-load';
import { benchUserId } from './server-bench-keys';
import type { DriverOptions } from './server-load-driver';

const SEED = 'sealcall-server-bench';

export interface ServerBenchOptions {
  /** Idle sockets to hold; default 20 000, or as many as the fd hard limit allows. */
  idleConnections?: number;
  /** Caller/callee pairs for the relay measurements. */
  relayPairs?: number;
  /** Relayed messages a second in the latency run. */
  relayRate?: number;
  relaySeconds?: number;
  throughputSeconds?: number;
  log?: (line: string) => void;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);

/** Starts `processes` driver processes sharing `count` idle sockets; resolves when all are open. */
async function holdIdle(url: string, count: number, processes: number): Promise<{ ready: number; failed: number; readyAt: number; stop(): Promise<void> }> {
  const started = performance.now();
  const per = Math.ceil(count / processes);
  const children: ChildProcess[] = [];
  const results = await Promise.all(
    Array.from({ length: processes }, (_, index) => {
      const options: DriverOptions = {
        url,
        count: Math.min(per, count - index * per),
        localAddresses: Array.from({ length: 16 }, (__, n) => `127.0.${String(index + 1)}.${String(n + 1)}`),
        concurrency: 128,
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

/** The floor's client: registers its id with the bare relay, no authentication. */
function bareClient(url: string, index: number): Promise<RelayClient> {
  const id = benchUserId(index);
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ register: id }));
      resolve({ ws, id });
    });
  });
}

export async function runServerBench(options: ServerBenchOptions = {}): Promise<BenchSection> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hardLimit = fdHardLimit();
  // The server needs a few dozen fds of its own besides one per socket.
  const idle = Math.min(options.idleConnections ?? 20_000, hardLimit - 64);
  // 20 pairs at 100 messages/s each: enough to exercise the relay, few enough that the measuring
  // clients (all in this one process) do not add their own queueing.
  const pairs = options.relayPairs ?? 20;
  const rate = options.relayRate ?? 2000;
  const relaySeconds = options.relaySeconds ?? 10;
  const throughputSeconds = options.throughputSeconds ?? 5;

  const dataDir = mkdtempSync(path.join(tmpdir(), 'sealcall-bench-'));
  await seedUsers(dataDir, SEED, 2 * pairs);
  // A fresh server for each phase, so that one phase's garbage is not the next one's RSS.
  const start = () => startBenchServer({ connections: idle + 1000, args: ['--data-dir', dataDir, '--auth-timeout', '10m', '--heartbeat', '5s'] });
  try {
    // 1. Idle sockets holding their challenge, heartbeating.
    let server = await start();
    const baseRss = rssOf(server.pid);
    log(`server up, RSS ${mib(baseRss)} MiB; fd hard limit ${String(hardLimit)}`);
    const idleDrivers = await holdIdle(server.wsUrl, idle, 2);
    log(`idle: ${String(idleDrivers.ready)} sockets open in ${(idleDrivers.readyAt / 1000).toFixed(1)} s, ${String(idleDrivers.failed)} failed`);
    await sleep(11_000); // two heartbeats
    const idleHeld = await scrapeMetric(server.httpUrl, 'sealcall_connections{state="unauthenticated"}');
    const idleRss = rssOf(server.pid);
    log(`idle: ${String(idleHeld)} held after two heartbeats, RSS ${mib(idleRss)} MiB`);
    await idleDrivers.stop();
    await server.stop();

    // 2. Relay latency and throughput, against a bare ws relay measured in the same run.
    server = await start();
    const serverUrl = server.wsUrl;
    const sealcall = await measureRelay({
      connect: async (index) => {
        const client = await BenchClient.connect(serverUrl, SEED, index);
        return { ws: client.ws, id: client.userId };
      },
      pairs,
      firstIndex: 0,
      rate,
      seconds: relaySeconds,
      throughputSeconds,
      histogramUrl: server.httpUrl,
    });
    await server.stop();
    log(`relay: p50 ${sealcall.p50.toFixed(2)} ms, p99 ${sealcall.p99.toFixed(2)} ms, throughput ${sealcall.throughput.toFixed(0)}/s, errors ${String(sealcall.errors)}`);
    const bare = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/server-bare-relay.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const barePort = Number((await waitForLine(bare, /bare relay listening on (\d+)/, 30_000))[1]);
    const floor = await measureRelay({
      connect: (index) => bareClient(`ws://127.0.0.1:${String(barePort)}`, index),
      pairs,
      firstIndex: 0,
      rate,
      seconds: relaySeconds,
      throughputSeconds,
    });
    await stopChild(bare);
    log(`floor: p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms, throughput ${floor.throughput.toFixed(0)}/s`);

    const perIdle = (idleRss - baseRss) / Math.max(1, idleHeld);
    const ratio = sealcall.throughput / floor.throughput;
    const row = (label: string, result: RelayResult) =>
      `| ${label} | ${result.p50.toFixed(2)} ms | ${result.p99.toFixed(2)} ms | ${result.max.toFixed(1)} ms | ${String(result.received)} | ${result.throughput.toFixed(0)} msgs/s |`;
    const markdown = [
      `The real server (\`sealcall-server start\`, one Node ${process.version} process) on loopback, with load from separate driver processes; ${process.platform}, fd hard limit ${String(hardLimit)}.`,
      `Idle sockets have received their challenge and answer pings (heartbeat 5 s, two rounds before measuring).`,
      `Relay latency is from \`call.invite\` sent to \`call.invite\` received, at a steady ${String(rate)} relayed messages/s (invites and their cancels) over ${String(pairs)} caller/callee pairs, against a bare \`ws\` relay (no auth, no schema, no call state) measured in the same run. ` +
        'Memory per authenticated user and logins at company scale are in the company-scale section.',
      '',
      '| Capacity | Connections held | Server RSS | RSS per connection | 20 000 at that rate |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| Idle, heartbeating sockets | ${String(idleHeld)} | ${mib(idleRss)} MiB | ${kib(perIdle)} KiB | ${mib(baseRss + perIdle * 20_000)} MiB (goal ≤ 1024) |`,
      '',
      '| Relay | p50 | p99 | max | steady msgs relayed | max throughput |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      row('sealcall-server', sealcall),
      row('bare ws relay (floor)', floor),
      '',
      `Inside the server (arrival to hand-off to the target socket, from its own histogram), p99 ≤ ${sealcall.serverP99?.toFixed(2) ?? '?'} ms.`,
      '',
      `Goals: p99 ≤ 5 ms: ${sealcall.p99 <= 5 ? 'met' : 'not met'} (${sealcall.p99.toFixed(2)} ms). Throughput ≥ 0.7× the floor: ${ratio >= 0.7 ? 'met' : 'not met'} (${ratio.toFixed(2)}×). Relay errors: ${String(sealcall.errors)}.`,
    ].join('\n');
    return { title: 'Server capacity and relay latency', markdown };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await printWhenRunDirectly(import.meta.url, () => runServerBench());
