/**
 * `npm run bench`: runs every benchmark in this process's order, prints each section as it
 * finishes, and writes them all to docs/benchmarks.md (or to BENCH_OUT: trial runs on a busy
 * machine, e.g. with BENCH_QUICK=1, go elsewhere so they never replace the quiet figures).
 * `tsx bench/run.ts <section>…` runs only those sections. Figures are medians and ratios against a
 * floor measured in the same run, because this machine is shared and noisy.
 */
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
import { runRendererBench } from './renderer.bench';
import { runServerBench } from './server.bench';
import { runSFrameBench } from './sframe.bench';
import { runWorkerCryptoBench } from './worker-crypto.bench';

const benches: [name: string, run: () => Promise<BenchSection>][] = [
  ['sframe', runSFrameBench],
  ['server', () => runServerBench()],
  ['company', () => runCompanyScaleBench()],
  ['cluster', () => runClusterBench()],
  ['call-setup', runCallSetupBench],
  ['worker-crypto', runWorkerCryptoBench],
  ['e2ee-cpu', runE2eeCpuBench],
  ['renderer', runRendererBench],
];

const only = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.env['BENCH_OUT'] ?? path.join(root, 'docs', 'benchmarks.md'));

const sections: BenchSection[] = [];
for (const [name, run] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  const started = Date.now();
  console.log(`bench: ${name}…`);
  const section = await run();
  console.log(`\n## ${section.title}\n\n${section.markdown}\n(${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  sections.push(section);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (`bench/run.ts`); do not edit by hand. Every comparison is against a floor',
  'measured in the same run on the same machine, and figures are medians, because the machines these',
  'run on are shared and noisy: compare ratios across runs, not absolute times.',
  '',
  `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${os.cpus().length} × ${cpu}, ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB.` + (only.length > 0 ? ` Only: ${only.join(', ')}.` : '') +
    (QUICK ? ' BENCH_QUICK=1: a few iterations only, not figures to quote.' : ''),
  '',
].join('\n');

await writeFile(out, `${header}\n${sections.map((s) => `## ${s.title}\n\n${s.markdown.trim()}\n`).join('\n')}`);
console.log(`bench: wrote ${path.relative(process.cwd(), out) || out}`);
