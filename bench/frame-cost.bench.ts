/**
 * The frame-crypto worker's per-frame path (read the frame's bytes, SFrame, write them back)
 * against the raw cipher on frames of the same size, in one worker of a cross-origin isolated
 * Chromium page, back to back and paced as frames arrive in a call. No call and no server: this
 * prices our code around the cipher, which the call's own section (worker-crypto) cannot separate
 * from the frame's wait in the worker. Run directly: `npx tsx bench/frame-cost.bench.ts`;
 * BENCH_BASELINE=<commit> adds that commit's path as a second column, measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os, { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium } from '@playwright/test';
import { QUICK } from './bench-browser';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { formatRatio, markdownTable, median, percentile, verdict } from './bench-stats';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/harness/chromium-args';
import type { FrameCostRequest, FrameCostSamples } from './frame-cost.worker';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const BASELINE = process.env['BENCH_BASELINE'];
/** The mean frame sizes of the call in the worker-crypto section (960×540 VP8, Opus). */
const SIZES = { video: 1904, audio: 79 } as const;
const ROUNDS = QUICK ? 300 : 3000;
const PACED_ROUNDS = QUICK ? 50 : 300;
const PACE_MS = 5;
const GOAL_RATIO = 2;

/** The mean of the middle 80 %: the clamped timer is jittered, so a mean is unbiased where a median is not. */
function trimmedMean(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 10);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((sum, value) => sum + value, 0) / kept.length;
}

/** A tree of the baseline commit's renderer/, shared/ and this benchmark's path, for the second column. */
function baselineTree(commit: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sealcall-frame-cost-'));
  const archive = execFileSync('git', ['-C', root, 'archive', commit, 'renderer', 'shared'], { maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  mkdirSync(path.join(dir, 'bench'));
  copyFileSync(path.join(here, 'frame-cost-variant.ts'), path.join(dir, 'bench', 'frame-cost-variant.ts'));
  return dir;
}

/** Puts the baseline's path next to the working tree's, in place of frame-cost-variants.ts. */
function withBaseline(tree: string, commit: string): Plugin {
  const source = [
    `import { framePath as now } from ${JSON.stringify(path.join(here, 'frame-cost-variant.ts'))};`,
    `import { framePath as before } from ${JSON.stringify(path.join(tree, 'bench', 'frame-cost-variant.ts'))};`,
    `export async function framePaths() { return [{ name: 'before (${commit.slice(0, 7)})', path: await before() }, { name: 'worker', path: await now() }]; }`,
  ].join('\n');
  return {
    name: 'frame-cost-baseline',
    setup(build) {
      build.onResolve({ filter: /\/frame-cost-variants$/ }, () => ({ path: 'frame-cost-variants', namespace: 'baseline' }));
      build.onLoad({ filter: /.*/, namespace: 'baseline' }, () => ({ contents: source, loader: 'ts', resolveDir: here }));
    },
  };
}

async function workerSource(tree: string | undefined): Promise<string> {
  const result = await build({
    entryPoints: [path.join(here, 'frame-cost.worker.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome130',
    logLevel: 'silent',
    nodePaths: [path.join(root, 'node_modules')],
    plugins: tree === undefined || BASELINE === undefined ? [] : [withBaseline(tree, BASELINE)],
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no bundle for the frame-cost worker');
  return output.text;
}

/** A loopback server for one page and its worker, with COOP/COEP so performance.now() is fine-grained. */
async function serve(worker: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (request.url === '/worker.js') response.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(worker);
    else response.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end('<!doctype html><title>frame cost</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`, server };
}

function us(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : 'n/a';
}

export async function runFrameCostBench(): Promise<BenchSection> {
  const tree = BASELINE === undefined ? undefined : baselineTree(BASELINE);
  const { url, server } = await serve(await workerSource(tree));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const isolated = await page.evaluate(() => crossOriginIsolated);
    const measure = (request: FrameCostRequest) =>
      page.evaluate(
        (message) =>
          new Promise<FrameCostSamples>((resolve, reject) => {
            const worker = new Worker('/worker.js');
            worker.onmessage = (event: MessageEvent<FrameCostSamples>) => {
              worker.terminate();
              resolve(event.data);
            };
            worker.onerror = () => {
              reject(new Error('the frame-cost worker failed'));
            };
            worker.postMessage(message);
          }),
        request,
      );
    const rows: string[][] = [];
    const missed: string[] = [];
    for (const [pace, rounds, paceMs] of [
      ['back to back', ROUNDS, 0],
      [`one every ${String(PACE_MS)} ms`, PACED_ROUNDS, PACE_MS],
    ] as const) {
      for (const kind of ['video', 'audio'] as const) {
        const samples = await measure({ kind, bytes: SIZES[kind], rounds, paceMs });
        for (const op of ['encrypt', 'decrypt'] as const) {
          const raw = samples[`raw ${op}`] ?? [];
          const floor = trimmedMean(raw);
          for (const [label, values] of Object.entries(samples)) {
            if (label.startsWith('raw ') || !label.endsWith(op)) continue;
            const name = label.slice(0, -op.length - 1);
            const mean = trimmedMean(values);
            const met = mean <= GOAL_RATIO * floor;
            if (name === 'worker' && !met) missed.push(`${op} ${kind} ${pace}`);
            rows.push([
              `${op} ${kind} (${String(SIZES[kind])} B), ${pace}`,
              name,
              us(mean),
              us(median(values)),
              us(percentile(values, 90)),
              us(floor),
              us(median(raw)),
              formatRatio(mean, floor),
              name === 'worker' ? `≤ ${String(GOAL_RATIO)}×` : '',
              name === 'worker' ? verdict(met) : '',
            ]);
          }
        }
      }
    }
    const load = `${(loadavg()[0] ?? Number.NaN).toFixed(1)} on ${String(availableParallelism())} cores`;
    const markdown = [
      `Load average at the end of the run: ${load}. ` +
        `Each frame's SFrame path in the worker as a call runs it (\`frameProcessor\`: read the frame's bytes, SFrame, ` +
        `write them back) on frame-like objects of the call's mean sizes, against the raw cipher (one ChaCha20-Poly1305 ` +
        `encrypt or decrypt through libsodium's wrapper) on a frame of the same size, in the same worker of a Chromium ` +
        `page with COOP/COEP (\`crossOriginIsolated\`: ${String(isolated)}). Every operation is timed on its own, as the ` +
        `worker times frames in a call; ${String(ROUNDS)} rounds back to back and ${String(PACED_ROUNDS)} paced one every ` +
        `${String(PACE_MS)} ms (each operation waits alone, so it finds the caches gone cold as between a call's frames); ` +
        `each round runs the raw cipher and the path, in turn first. Chromium clamps the timer to 5 µs with jitter, so a single reading is coarse but the ` +
        `mean is not biased: the figures and ratios are means of the middle 80 % of the samples (medians are shown in ` +
        `5 µs steps). The goal is the path ≤ ${String(GOAL_RATIO)}× the raw cipher.` +
        (BASELINE === undefined ? '' : ` The "before" rows are the same path from commit ${BASELINE}, in the same worker and run.`),
      '',
      markdownTable(['per frame (µs)', 'path', 'mean', 'median', 'p90', 'raw cipher, mean', 'raw, median', 'ratio', 'goal', ''], rows),
      ...(missed.length > 0 ? ['', `Missed: ${missed.join(', ')}.`] : []),
    ].join('\n');
    return { title: 'Per-frame cost in the worker', markdown };
  } finally {
    await browser.close();
    server.close();
    if (tree !== undefined) rmSync(tree, { recursive: true, force: true });
  }
}

await printWhenRunDirectly(import.meta.url, runFrameCostBench);
