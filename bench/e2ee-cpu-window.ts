/**
 * One measuring window of the E2EE CPU benchmark: Chromium's own CPU accounting of its processes,
 * and the renderer processes' threads by name, over a fixed stretch of a running call.
 */
import { loadavg } from 'node:os';
import type { CDPSession } from '@playwright/test';
import { sleep } from './bench-calls';
import { cpuByThreadName } from './thread-cpu';

/** After the first frame, before measuring: the bandwidth estimate and resolution ramp up. */
export const SETTLE_SECONDS = 3;
export const WINDOW_SECONDS = 10;

export interface CpuWindow {
  /** Cores busy (CPU seconds a second) in every renderer process. */
  renderers: number;
  /** The same over every process of the browser. */
  all: number;
  /** Cores busy in the renderers, by thread name. */
  threads: Map<string, number>;
  /** The machine's 1-minute load average as the window started. */
  load: number;
  sent: string;
  /** Video frames the caller encoded a second over the window: WebRTC lowers it when the CPU is short. */
  fps: number;
}

/** What the caller's page sends on video now (bench/call-timeline.ts sentVideo). */
type SentVideo = () => Promise<{ width: number; height: number; framesEncoded: number } | null>;

interface CpuSample {
  renderers: Map<number, number>;
  all: Map<number, number>;
}

async function cpuSample(cdp: CDPSession): Promise<CpuSample> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  return {
    renderers: new Map(processInfo.filter((info) => info.type === 'renderer').map((info) => [info.id, info.cpuTime])),
    all: new Map(processInfo.map((info) => [info.id, info.cpuTime])),
  };
}

/** CPU seconds spent between two samples, over the processes present in both. */
export function spent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? cpu);
  return total;
}

/** Waits SETTLE_SECONDS, then measures WINDOW_SECONDS of the call now running. */
export async function measureWindow(cdp: CDPSession, sentBy: SentVideo): Promise<CpuWindow> {
  await sleep(SETTLE_SECONDS * 1000);
  const load = loadavg()[0] ?? 0;
  const sentBefore = await sentBy();
  const before = await cpuSample(cdp);
  const threadsBefore = cpuByThreadName(before.renderers.keys());
  const started = performance.now();
  await sleep(WINDOW_SECONDS * 1000);
  const after = await cpuSample(cdp);
  const threadsAfter = cpuByThreadName(before.renderers.keys());
  const seconds = (performance.now() - started) / 1000;
  const sent = await sentBy();
  const threads = new Map([...threadsAfter].map(([name, cpu]) => [name, (cpu - (threadsBefore.get(name) ?? 0)) / seconds]));
  return {
    renderers: spent(before.renderers, after.renderers) / seconds,
    all: spent(before.all, after.all) / seconds,
    threads,
    load,
    sent: sent === null ? '?' : `${String(sent.width)}×${String(sent.height)}`,
    fps: sent === null || sentBefore === null ? Number.NaN : (sent.framesEncoded - sentBefore.framesEncoded) / seconds,
  };
}

export const percent = (cores: number): string => `${(cores * 100).toFixed(1)} %`;
