/**
 * The bench's side of bench/login-storm-driver.ts: spawns the driver processes, sends them
 * commands and gathers their JSON-line answers.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, spawnWithFds, stopChild } from './bench-process';
import type { DriverCommand, DriverCounters, DriverReady, StormDriverOptions } from './login-storm-driver';

interface Waiter {
  resolve: (line: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

interface Driver {
  child: ChildProcess;
  /** Waiters for the next line of each type. */
  waiting: Map<string, Waiter[]>;
}

export interface StormResult {
  ready: number;
  failed: number;
  /** From the first connection attempt of any driver to the last user online, ms. */
  elapsedMs: number;
  /** CPU time all drivers spent on the storm. */
  driverCpuSeconds: number;
  counters: DriverCounters;
  errors: string[];
}

const ZERO: DriverCounters = { bytes: 0, wireBytes: 0, messages: 0, presence: 0, presenceAboutWatched: 0, fullSyncs: 0, entries: 0 };

export function sumCounters(all: readonly DriverCounters[]): DriverCounters {
  const total = { ...ZERO };
  for (const one of all) for (const key of Object.keys(total) as (keyof DriverCounters)[]) total[key] += one[key];
  return total;
}

export function counterDelta(after: DriverCounters, before: DriverCounters): DriverCounters {
  const delta = { ...ZERO };
  for (const key of Object.keys(delta) as (keyof DriverCounters)[]) delta[key] = after[key] - before[key];
  return delta;
}

export class StormDrivers {
  private constructor(private readonly drivers: Driver[]) {}

  /** Spawns `processes` drivers sharing users 0 … total-1 and waits until each has its keys. */
  static async start(base: Omit<StormDriverOptions, 'first' | 'count' | 'localAddresses' | 'stateFile'> & { stateDir: string }, processes: number): Promise<StormDrivers> {
    const per = Math.ceil(base.total / processes);
    const drivers = Array.from({ length: processes }, (_, index): Driver => {
      const options: StormDriverOptions = {
        url: base.url,
        first: index * per,
        count: Math.max(0, Math.min(per, base.total - index * per)),
        seed: base.seed,
        total: base.total,
        colleagues: base.colleagues,
        concurrency: base.concurrency,
        localAddresses: Array.from({ length: 16 }, (__, n) => `127.0.${String(index + 1)}.${String(n + 1)}`),
        stateFile: path.join(base.stateDir, `driver-${String(index)}.json`),
      };
      const child = spawnWithFds(['--import', 'tsx', path.join(ROOT, 'bench/login-storm-driver.ts'), JSON.stringify(options)], 'pipe');
      const driver: Driver = { child, waiting: new Map() };
      const stdout = child.stdout;
      if (stdout) {
        createInterface({ input: stdout }).on('line', (text) => {
          const line = JSON.parse(text) as Record<string, unknown>;
          const type = String(line['type']);
          driver.waiting.get(type)?.shift()?.resolve(line);
        });
      }
      child.once('exit', (code) => {
        for (const [type, waiters] of driver.waiting) {
          for (const waiter of waiters) waiter.reject(new Error(`storm driver exited with ${String(code)} before '${type}'`));
        }
        driver.waiting.clear();
      });
      return driver;
    });
    const group = new StormDrivers(drivers);
    await group.all({ cmd: 'go' }, 'armed', false);
    return group;
  }

  /** Sends `command` (unless `send` is false) to every driver and waits for each one's `answer`. */
  private all(command: DriverCommand, answer: string, send = true): Promise<Record<string, unknown>[]> {
    return Promise.all(
      this.drivers.map(
        (driver) =>
          new Promise<Record<string, unknown>>((resolve, reject) => {
            const waiters = driver.waiting.get(answer) ?? [];
            if (driver.child.exitCode !== null) {
              reject(new Error(`storm driver exited with ${String(driver.child.exitCode)} before '${answer}'`));
              return;
            }
            waiters.push({ resolve, reject });
            driver.waiting.set(answer, waiters);
            if (send) driver.child.stdin?.write(`${JSON.stringify(command)}\n`);
          }),
      ),
    );
  }

  /** Logs every user in, each driver `concurrency` at a time, and waits until all are online or failed. */
  async storm(): Promise<StormResult> {
    const lines = (await this.all({ cmd: 'go' }, 'ready')) as unknown as DriverReady[];
    return {
      ready: lines.reduce((sum, line) => sum + line.ready, 0),
      failed: lines.reduce((sum, line) => sum + line.failed, 0),
      elapsedMs: Math.max(...lines.map((line) => line.readyAt)) - Math.min(...lines.map((line) => line.startedAt)),
      driverCpuSeconds: lines.reduce((sum, line) => sum + line.cpuSeconds, 0),
      counters: sumCounters(lines),
      errors: [...new Set(lines.flatMap((line) => line.errors))],
    };
  }

  async watch(userId: string, watchers: number): Promise<void> {
    await this.all({ cmd: 'watch', userId, watchers }, 'watching');
  }

  async counters(): Promise<DriverCounters> {
    return sumCounters((await this.all({ cmd: 'counters' }, 'counters')) as unknown as DriverCounters[]);
  }

  /** Logs everyone out (close 1000), storing each user's directory version for the next storm. */
  async logOut(): Promise<void> {
    await this.all({ cmd: 'close' }, 'closed');
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.drivers.map(async (driver) => {
        driver.child.stdin?.end();
        await Promise.race([new Promise((resolve) => driver.child.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 5000))]);
        await stopChild(driver.child, 'SIGKILL');
      }),
    );
  }
}
