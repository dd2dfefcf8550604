import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One part of docs/benchmarks.md: each benchmark returns one, and bench/run.ts puts them together. */
export interface BenchSection {
  title: string;
  markdown: string;
}

/** `npx tsx bench/<name>.bench.ts` runs that one section and prints it; imported by run.ts, it does nothing. */
export async function printWhenRunDirectly(moduleUrl: string, run: () => Promise<BenchSection>): Promise<void> {
  const invokedPath = process.argv[1];
  if (invokedPath === undefined || path.resolve(invokedPath) !== fileURLToPath(moduleUrl)) return;
  const section = await run();
  console.log(`## ${section.title}\n\n${section.markdown}`);
}
