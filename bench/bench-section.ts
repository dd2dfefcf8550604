/** One part of docs/benchmarks.md: each benchmark returns one, and bench/run.ts puts them together. */
export interface BenchSection {
  title: string;
  markdown: string;
}
