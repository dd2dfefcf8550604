/**
 * Child processes for the server benchmarks: spawning with the fd limit raised, waiting for a line
 * of output, and reading a process's memory, CPU time and fd limit from /proc (Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseThreadStat } from './thread-cpu';

export const ROOT = path.resolve(import.meta.dirname, '..');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
}

/** User + system CPU seconds a process has spent so far, all its threads together. */
export function cpuSecondsOf(pid: number): number {
  return parseThreadStat(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'))?.seconds ?? Number.NaN;
}

export function fdHardLimit(): number {
  const match = /Max open files\s+\d+\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return Number(match?.[1] ?? 1024);
}

/**
 * Spawns a Node script with its soft fd limit raised to the hard limit. `exec` keeps the pid, so
 * the child's pid is Node's own and /proc figures read from it are the script's.
 */
export function spawnWithFds(args: readonly string[], stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  return spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...args], {
    cwd: ROOT,
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

/** Resolves with the first match of `pattern` in the child's stdout (from now on). */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      reject(new Error(`process exited with ${String(code)} before printing ${String(pattern)}`));
    };
    const timer = setTimeout(() => {
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      reject(new Error(`no ${String(pattern)} within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Ends a child and waits for it: SIGTERM, or the signal given (SIGKILL for a crash). A child still
 * there `graceMs` after a SIGTERM is killed, so that a stuck shutdown cannot hang the bench.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill(signal);
  const timer = setTimeout(() => {
    process.stderr.write(`bench: pid ${String(child.pid)} still running ${String(graceMs)} ms after ${signal}; killing it\n`);
    child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
