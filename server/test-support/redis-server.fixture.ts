import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * A real redis-server (Debian's) for tests: its own port and its own temp directory, persisting
 * every write as a cluster deployment must (appendonly, appendfsync always). Ports come from
 * above the ephemeral range, where only an explicit bind takes them; a port another process took
 * between our pick and redis's bind is retried with another.
 */

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisProcess {
  port: number;
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Stops redis (SIGTERM, then SIGKILL) and removes its data. Safe to call twice. */
  stop(): Promise<void>;
}

/** Why redis tests cannot run here, or undefined when they can. */
export function redisMissingReason(): string | undefined {
  return existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} is missing: install Debian's redis-server (.ci/run does)`;
}

function quietPort(): number {
  // Linux's default ephemeral range ends at 60999; 61000–65000 is bound only on purpose.
  return 61_000 + Math.floor(Math.random() * 4_000);
}

function launch(port: number, dataDir: string, extraArgs: readonly string[]): Promise<ChildProcess | 'port-taken'> {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'yes', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = () => {
      if (/Address already in use/i.test(output)) resolve('port-taken');
      else reject(new Error(`redis-server exited before it was ready: ${output.slice(-500)}`));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.once('exit', onExit);
  });
}

export async function startRedis(extraArgs: readonly string[] = []): Promise<RedisProcess> {
  const missing = redisMissingReason();
  if (missing) throw new Error(missing);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sealcall-redis-'));
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = quietPort();
    const child = await launch(port, dataDir, extraArgs);
    if (child === 'port-taken') continue;
    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(kill);
          rmSync(dataDir, { recursive: true, force: true });
          resolve();
        };
        const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
        if (child.exitCode !== null || child.signalCode !== null) done();
        else {
          child.once('exit', done);
          child.kill('SIGTERM');
        }
      }));
    return { port, url: `redis://127.0.0.1:${port}`, dataDir, process: child, stop };
  }
  rmSync(dataDir, { recursive: true, force: true });
  throw new Error('no free port for redis-server after 20 tries');
}
