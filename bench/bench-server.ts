/**
 * The real server for the benchmarks: `bin/sealcall-server.js start` as a child process on
 * loopback, fd limit raised to the hard limit, with the per-address and per-connection limits
 * lifted (the load comes from a few loopback addresses at rates no real address would reach).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT, sleep, spawnWithFds, stopChild, waitForLine } from './bench-process';

const BIN = path.join(ROOT, 'bin/sealcall-server.js');

export interface BenchServer {
  child: ChildProcess;
  pid: number;
  port: number;
  httpUrl: string;
  wsUrl: string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait: the machine died. */
  kill(): Promise<void>;
}

export interface BenchServerOptions {
  /** Connections allowed, authenticated and not; the bench sizes it to the load. */
  connections: number;
  /** Any further flags (`--data-dir`, `--redis`, `--public-url`, `--heartbeat`, …). */
  args: readonly string[];
  port?: number;
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const limit = String(options.connections);
  const child = spawnWithFds([
    BIN,
    'start',
    '--port',
    String(options.port ?? 0),
    '--log-level',
    'warn',
    '--max-unauthenticated',
    limit,
    '--max-connections',
    limit,
    '--max-unauthenticated-per-address',
    limit,
    '--connect-rate-per-address',
    '1000000',
    '--connect-burst-per-address',
    '1000000',
    // Lifted so throughput runs measure the relay, not the per-connection limiter.
    '--rate-limit',
    '1000000',
    '--rate-burst',
    '1000000',
    ...options.args,
  ]);
  const port = Number((await waitForLine(child, /listening on http:\/\/127\.0\.0\.1:(\d+)/, 60_000))[1]);
  await sleep(300);
  return {
    child,
    pid: child.pid ?? -1,
    port,
    httpUrl: `http://127.0.0.1:${String(port)}`,
    wsUrl: `ws://127.0.0.1:${String(port)}/ws`,
    stop: () => stopChild(child),
    kill: () => stopChild(child, 'SIGKILL'),
  };
}

/** One value from the server's /metrics (the first line starting with `name`). */
export async function scrapeMetric(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(name));
  return Number(line?.split(' ').at(-1) ?? NaN);
}
