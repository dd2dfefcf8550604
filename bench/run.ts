/**
 * `npm run bench`: runs every benchmark in this process's order, prints each section as it
 * finishes, and writes them all to docs/benchmarks.md (or to BENCH_OUT: trial runs on a busy
 * machine, e.g. with BENCH_QUICK=1, go elsewhere so they never replace the quiet figures).
 * `tsx bench/run.ts <section>…` runs only those sections and replaces only them in the file,
 * keeping the others as they were (each section says when it was measured). Figures are medians
 * and ratios against a floor measured in the same run, because this machine is shared and noisy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSection } from './bench-section';
import { QUICK } from './bench-browser';
import { runCallSetupBench } from './call-setup.bench';
import { runClusterBench } from './cluster.bench';
import { runCompanyScaleBench } from './company-scale.bench';
import { runE2eeCpuBench } from './e2ee-cpu.bench';
import { runFrameCostBench } from './frame-cost.bench';
import { runGroupSetupBench } from './group-setup.bench';
import { runGroupsBench } from './groups.bench';
import { runMeetingTransportBench } from './meeting-transport.bench';
import { runMlsBench } from './mls.bench';
import { runRendererBench } from './renderer.bench';
import { runServerBench } from './server.bench';
import { runSFrameBench } from './sframe.bench';
import { runWorkerCryptoBench } from './worker-crypto.bench';

/** Name on the command line, the section's title in the file, and the benchmark. */
const benches: [name: string, title: string, run: () => Promise<BenchSection>][] = [
  ['sframe', 'SFrame per-frame cost', runSFrameBench],
  ['server', 'Server capacity and relay latency', () => runServerBench()],
  ['company', 'Company scale: login storms and presence fan-out', () => runCompanyScaleBench()],
  ['cluster', 'Cluster: two instances over Redis', () => runClusterBench()],
  ['call-setup', 'Call set-up', runCallSetupBench],
  ['worker-crypto', 'Crypto in the worker', runWorkerCryptoBench],
  ['frame-cost', 'Per-frame cost in the worker', runFrameCostBench],
  ['e2ee-cpu', 'CPU cost of E2EE', runE2eeCpuBench],
  ['renderer', 'Renderer start', runRendererBench],
  ['mls', 'MLS key layer (group calls)', runMlsBench],
  ['groups', 'Group calls: rekey on loopback', runGroupsBench],
  ['group-setup', 'Group calls: set-up, 4 people', runGroupSetupBench],
  ['meeting-transport', 'Meetings: mesh vs SFU', runMeetingTransportBench],
];

const only = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.env['BENCH_OUT'] ?? path.join(root, 'docs', 'benchmarks.md'));

const unknown = only.filter((name) => !benches.some(([known]) => known === name));
if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; known: ${benches.map(([name]) => name).join(', ')}`);

/**
 * The sections already in the file, by title, so a partial run keeps the others; one written
 * before sections carried their own date gets the date of the run that wrote the file.
 */
function existingSections(file: string): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(file)) return sections;
  const [header = '', ...parts] = readFileSync(file, 'utf8').split(/^## /m);
  const lastRun = /^Last run: (\d{4}-\d\d-\d\d \d\d:\d\d UTC)/m.exec(header)?.[1];
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const body = part.slice(newline + 1).trim();
    const dated = body.startsWith('_Measured ') || lastRun === undefined ? body : `_Measured ${lastRun}._\n\n${body}`;
    sections.set(part.slice(0, newline).trim(), dated);
  }
  return sections;
}

const stamp = () => `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const kept = only.length > 0 ? existingSections(out) : new Map<string, string>();
const sections: BenchSection[] = [];
for (const [name, title, run] of benches) {
  if (only.length > 0 && !only.includes(name)) {
    const body = kept.get(title);
    if (body !== undefined) sections.push({ title, markdown: body });
    continue;
  }
  const started = Date.now();
  console.log(`bench: ${name}…`);
  const section = await run();
  if (section.title !== title) throw new Error(`bench ${name} returned the section '${section.title}', expected '${title}'`);
  console.log(`\n## ${section.title}\n\n${section.markdown}\n(${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  sections.push({ title, markdown: `_Measured ${stamp()}${QUICK ? ', BENCH_QUICK=1' : ''}._\n\n${section.markdown.trim()}` });
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (`bench/run.ts`); do not edit by hand. Every comparison is against a floor',
  'measured in the same run on the same machine, and figures are medians, because the machines these',
  'run on are shared and noisy: compare ratios across runs, not absolute times.',
  '',
  'Re-run everything with `npm run bench`, or some sections with `npx tsx bench/run.ts <name>…`',
  `(${benches.map(([name]) => `\`${name}\``).join(', ')}), which replaces only those sections here; each section`,
  'says when it was measured. `BENCH_OUT=file` writes elsewhere; `COMPANY_SIZES=1000,2000` picks the',
  "company-scale section's sizes. The server sections need Linux (/proc) and Debian's redis-server.",
  '',
  `Last run: ${stamp()}, Node ${process.version}, ${os.cpus().length} × ${cpu} (shared with other work), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB.` + (only.length > 0 ? ` Only: ${only.join(', ')}.` : '') +
    (QUICK ? ' BENCH_QUICK=1: a few iterations only, not figures to quote.' : ''),
  '',
].join('\n');

await writeFile(out, `${header}\n${sections.map((s) => `## ${s.title}\n\n${s.markdown.trim()}\n`).join('\n')}`);
console.log(`bench: wrote ${path.relative(process.cwd(), out) || out}`);
