/**
 * CPU time by thread name, from /proc (Linux): attributes a process's CPU to what spent it, e.g.
 * the frame-crypto worker ("DedicatedWorker") and WebCrypto's own thread ("WebCrypto").
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of one /proc stat line, in seconds, and the thread's name (comm). */
export function parseThreadStat(line: string): { name: string; seconds: number } | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
  const rest = line.slice(close + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  if (!Number.isFinite(ticks)) return null;
  return { name: line.slice(open + 1, close), seconds: ticks / TICKS_PER_SECOND };
}

/** CPU seconds so far of every thread of `pids`, summed by thread name (digits dropped: pools). */
export function cpuByThreadName(pids: Iterable<number>): Map<string, number> {
  const byName = new Map<string, number>();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${String(pid)}/task`);
    } catch {
      continue; // The process has ended.
    }
    for (const tid of tids) {
      let stat: { name: string; seconds: number } | null;
      try {
        stat = parseThreadStat(readFileSync(`/proc/${String(pid)}/task/${tid}/stat`, 'utf8'));
      } catch {
        continue; // The thread has ended.
      }
      if (stat === null) continue;
      const name = stat.name.replace(/\d+/g, '#');
      byName.set(name, (byName.get(name) ?? 0) + stat.seconds);
    }
  }
  return byName;
}
