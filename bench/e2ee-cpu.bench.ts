/**
 * What end-to-end encryption costs in CPU: the browser's renderer processes during a Sealcall
 * call against the same media through floors measured in the same run, interleaved round by round.
 * Run directly: `npx tsx bench/e2ee-cpu.bench.ts` (BENCH_QUICK=1: one round; E2EE_CPU_ROUNDS=n;
 * E2EE_CPU_ONLY=pair or group runs one half, for trying a change).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { CDPSession } from '@playwright/test';
import { QUICK, RENDERER_DIR } from './bench-browser';
import { connectFloor, connectSealcall, hangUpFloor, hangUpSealcall, openCallPages, type CallPages } from './bench-calls';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { cpuVerdict, markdownTable, median } from './bench-stats';
import { sentVideo, type PassThrough, type SFrameFloor } from './call-timeline';
import { APP_STATS_INTERVAL_MS } from '../renderer/call/stats';
import { runGroupCpu } from './e2ee-cpu-group';
import { measureWindow, percent, SETTLE_SECONDS, WINDOW_SECONDS, type CpuWindow } from './e2ee-cpu-window';

const ROUNDS = QUICK ? 1 : Number(process.env['E2EE_CPU_ROUNDS'] ?? 3);
/** The issue's goal: Sealcall's renderers at most this many times the no-JS transform floor. */
const GOAL_RATIO = 1.04;
/** The kernel's name for a dedicated worker's thread in Chromium ("DedicatedWorker thread", cut to 15 characters). */
const WORKER_THREAD = 'DedicatedWorker';
/** A renderer's main thread carries the executable's name. */
const MAIN_THREAD = 'chromium';
const TOP_THREADS = 8;
/** The app's stats sampling, spaced out past any window: the variant that prices it. */
const NO_STATS_MS = 3_600_000;
/** What the app sampled before (the lever's "before", in the same run). */
const BEFORE_STATS_MS = 1000;

/**
 * The call screen's decoration over the video, taken off for the 'plain' variant: a rounded,
 * shadowed, mirrored self-view, gradients over the remote video and a gradient stage. With
 * `--disable-gpu` Chromium rasterizes and composites these in software on every video frame.
 */
const PLAIN_CALL_SCREEN_CSS = `
  .call-local-video { border-radius: 0 !important; box-shadow: none !important; transform: none !important; border: 0 !important; }
  .call-top, .call-controls { background: none !important; }
  .call-stage { background: #000 !important; }
`;

/** Everything of the app's window left unpainted but the two videos: what the app's screen costs to paint and composite. */
const VIDEOS_ONLY_CSS = `
  body * { visibility: hidden !important; }
  .call-remote-video, .call-local-video { visibility: visible !important; }
`;

type VariantName = 'floor' | 'native' | 'pump' | 'sframe' | 'quiet' | 'stats1s' | 'videos' | 'plain' | 'sealcall';

interface Variant {
  readonly name: VariantName;
  readonly label: string;
  run(): Promise<CpuWindow>;
}

/** The built frame-crypto worker's file, as the served renderer names it. */
function builtWorker(): string {
  const file = readdirSync(path.join(RENDERER_DIR, 'assets')).find((name) => name.startsWith('frame-crypto.worker-') && name.endsWith('.js'));
  if (file === undefined) throw new Error(`no frame-crypto worker in ${RENDERER_DIR}/assets: build the renderer first`);
  return `assets/${file}`;
}

function variants(pages: CallPages, cdp: CDPSession): Variant[] {
  const { alice, bob } = pages.company;
  const floorCall = async (passThrough?: PassThrough) => {
    await connectFloor(pages.floorCaller, pages.floorCallee, passThrough);
    const measured = await measureWindow(cdp, () => pages.floorCaller.evaluate(sentVideo));
    await hangUpFloor(pages.floorCaller, pages.floorCallee);
    return measured;
  };
  const sealcallCall = async (statsIntervalMs: number, css?: string) => {
    for (const user of [alice, bob]) {
      await user.page.evaluate((interval) => window.sealcallDiagnostics?.configure({ statsIntervalMs: interval }), statsIntervalMs);
      await user.page.evaluate(setCallScreenCss, css ?? '');
    }
    await connectSealcall(alice.page, bob.page, bob.userId);
    const measured = await measureWindow(cdp, () => alice.page.evaluate(sentVideo));
    await hangUpSealcall(alice.page, bob.page);
    return measured;
  };
  const worker = builtWorker();
  // Fresh keys each call: the worker takes one pair of keys per call, as the app's does.
  const sframe = (): SFrameFloor => ({ worker, callerSends: [...randomBytes(32)], calleeSends: [...randomBytes(32)] });
  return [
    { name: 'floor', label: 'bare WebRTC call, no transforms', run: () => floorCall() },
    { name: 'native', label: 'transforms with no JS per frame (readable.pipeTo(writable)): **the floor**', run: () => floorCall('native') },
    { name: 'pump', label: 'pass-through transform, a JS reader/writer pump, no crypto', run: () => floorCall('pump') },
    { name: 'sframe', label: "Sealcall's worker (SFrame, real keys) in the bare call: E2EE without the app", run: () => floorCall(sframe()) },
    { name: 'quiet', label: "Sealcall, the app's call, stats sampling off", run: () => sealcallCall(NO_STATS_MS) },
    { name: 'stats1s', label: "Sealcall, the app's call with stats every second (before)", run: () => sealcallCall(BEFORE_STATS_MS) },
    { name: 'videos', label: 'Sealcall as shipped, painting only the two videos (lever probe)', run: () => sealcallCall(APP_STATS_INTERVAL_MS, VIDEOS_ONLY_CSS) },
    { name: 'plain', label: "Sealcall as shipped, with the call screen's decoration over the video off (lever probe)", run: () => sealcallCall(APP_STATS_INTERVAL_MS, PLAIN_CALL_SCREEN_CSS) },
    { name: 'sealcall', label: `Sealcall, the app's call as shipped (stats every ${String(APP_STATS_INTERVAL_MS / 1000)} s)`, run: () => sealcallCall(APP_STATS_INTERVAL_MS) },
  ];
}

/** In the page: the probe's extra stylesheet, replaced each call ('' takes it off). Constructed, since the CSP refuses inline styles. */
function setCallScreenCss(css: string): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = css === '' ? [] : [sheet];
}

const ONLY = process.env['E2EE_CPU_ONLY'];
/** E2EE_CPU_VARIANTS=native,plain,sealcall runs only those pair variants, for trying a lever. */
const PICKED = process.env['E2EE_CPU_VARIANTS']?.split(',');

export async function runE2eeCpuBench(): Promise<BenchSection> {
  const pair = ONLY === 'group' ? '' : await runPairCpu();
  const group = ONLY === 'pair' ? '' : await runGroupCpu();
  return { title: 'CPU cost of E2EE', markdown: [pair, group].filter((part) => part !== '').join('\n\n') };
}

async function runPairCpu(): Promise<string> {
  const pages = await openCallPages();
  try {
    const cdp = await pages.company.browser.newBrowserCDPSession();
    const all = variants(pages, cdp).filter((variant) => PICKED === undefined || PICKED.includes(variant.name));
    const windows = new Map<VariantName, CpuWindow[]>(all.map((variant) => [variant.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotating which goes first, so drift in the machine's load hits every variant alike.
      for (let step = 0; step < all.length; step++) {
        const variant = all[(round + step) % all.length];
        if (variant === undefined) continue;
        const measured = await variant.run();
        windows.get(variant.name)?.push(measured);
        console.log(`e2ee-cpu: round ${String(round + 1)} ${variant.name}: renderers ${percent(measured.renderers)}, ${measured.fps.toFixed(1)} fps, load ${measured.load.toFixed(1)}`);
      }
    }
    await cdp.detach();
    return report(all, windows);
  } finally {
    await pages.close();
  }
}

function report(all: readonly Variant[], windows: ReadonlyMap<VariantName, CpuWindow[]>): string {
  const of = (name: VariantName) => windows.get(name) ?? [];
  const renderers = (name: VariantName) => median(of(name).map((window) => window.renderers));
  const thread = (name: VariantName, thread: string) => median(of(name).map((window) => window.threads.get(thread) ?? 0));
  /** The median over rounds of the ratio within each round: the rounds' load drift cancels. */
  const ratio = (name: VariantName, to: VariantName) => {
    const over = of(name);
    const under = of(to);
    return median(over.map((window, round) => window.renderers / (under[round]?.renderers ?? Number.NaN)));
  };
  const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(3)}×` : 'n/a');
  const loads = [...windows.values()].flat().map((window) => window.load);
  const sealcallRatio = ratio('sealcall', 'native');
  const fps = (name: VariantName) => median(of(name).map((window) => window.fps));
  const rows = all.map((variant) => [
    variant.label,
    percent(renderers(variant.name)),
    times(ratio(variant.name, 'native')),
    times(ratio(variant.name, 'floor')),
    percent(thread(variant.name, WORKER_THREAD)),
    percent(thread(variant.name, MAIN_THREAD)),
    median(of(variant.name).map((window) => window.fps)).toFixed(1),
    variant.name === 'sealcall' ? `≤ ${GOAL_RATIO.toFixed(2)}× · ${cpuVerdict(sealcallRatio <= GOAL_RATIO, fps('sealcall'), fps('native'))}` : '',
  ]);
  const names = [...new Set([...windows.values()].flat().flatMap((window) => [...window.threads.keys()]))];
  const top = names
    .map((name) => ({ name, sealcall: thread('sealcall', name), native: thread('native', name) }))
    .sort((a, b) => b.sealcall - b.native - (a.sealcall - a.native))
    .slice(0, TOP_THREADS);
  const cores = (name: VariantName, minus: VariantName) => percent(renderers(name) - renderers(minus));
  return [
    `CPU time of the browser's renderer processes, from Chromium's own accounting (CDP \`SystemInfo.getProcessInfo\`, ` +
      `summed over every renderer: both callers' pages with their main threads, the frame-crypto worker, and WebRTC's ` +
      `capture, encoder, decoder and network threads, which run in the renderer). Every call is two-way audio and video ` +
      `from the fake devices (asked for 1280×720, 30 fps, VP8 and Opus) between two pages on one machine, so each figure ` +
      `is both ends of a call. The floor calls are bare RTCPeerConnections between two pages that show the other side ` +
      `full size with its audio playing and a small self-view, as a call screen does; Sealcall's is the real app (server, ` +
      `handshake, the call screen). ${String(ROUNDS)} round${ROUNDS > 1 ? 's' : ''}, each one call of every variant in ` +
      `a rotating order, measured for ${String(WINDOW_SECONDS)} s from ${String(SETTLE_SECONDS)} s after the first ` +
      `frame; the ratios are medians of the ratio within each round, so load drift between rounds cancels. ` +
      `1-minute load average at the windows: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (2 cores). ` +
      `CPU as % of one core, medians.`,
    '',
    markdownTable(['call', 'renderers', '× floor (no-JS transforms)', '× bare call', 'worker thread', 'main threads', 'caller sends, fps', 'goal'], rows),
    '',
    `What the app's in-call work costs, from the same run: Sealcall's call over its own worker in the bare call ` +
      `(the call screen, the worker's twice-a-second report and the decrypt-health rule on it, stats sampling, ` +
      `the app's signalling and presence) ${cores('sealcall', 'sframe')} of a core; of that, stats sampling every ` +
      `${String(APP_STATS_INTERVAL_MS / 1000)} s (\`getStats\` on the peer connection and the quality indicator it drives) ` +
      `${cores('sealcall', 'quiet')}, where once a second cost ${cores('stats1s', 'quiet')} (${times(ratio('stats1s', 'native'))} the floor).  ` +
      `E2EE alone over the floor (SFrame in Sealcall's worker, without the app): ${cores('sframe', 'native')}; the JS ` +
      `pump without crypto over the floor: ${cores('pump', 'native')}.`,
    '',
    `Where Sealcall's call goes over the floor, by renderer thread (\`/proc/<pid>/task/*/stat\`, names as the kernel ` +
      `keeps them, cut at 15 characters; medians, % of one core), largest difference first:`,
    '',
    markdownTable(
      ['renderer thread', 'Sealcall', 'floor (no-JS transforms)'],
      top.map((entry) => [entry.name, percent(entry.sealcall), percent(entry.native)]),
    ),
    '',
    `Reading the rows: the goal puts Sealcall's call as shipped against the no-JS floor, the least any E2EE built on ` +
      `WebRTC's encoded transforms (which this stack prescribes) can cost: every frame crosses to the worker thread ` +
      `and back. E2EE's own share is the row of Sealcall's worker in the bare call (${times(ratio('sframe', 'native'))} ` +
      `the floor): the JS pump and SFrame; the app rows add its call screen and its periodic work. The sending frame ` +
      `rate is in the table because WebRTC lowers it when the machine is short of CPU: rows are alike only at like ` +
      `frame rates, and a row with fewer frames costs less for that reason alone.`,
    '',
    `Video sent by the caller, per round: ${all.map((variant) => `${variant.name} ${of(variant.name).map((window) => window.sent).join(', ')}`).join('; ')}.`,
  ].join('\n');
}

await printWhenRunDirectly(import.meta.url, runE2eeCpuBench);
