/*
 * The per-frame paths the frame-cost benchmark compares: the working tree's alone. With
 * BENCH_BASELINE=<commit>, bench/frame-cost.bench.ts bundles a generated module in this one's place
 * that adds the same path from that commit's tree, so a change's before and after run in one worker.
 */
import { framePath, type FramePath } from './frame-cost-variant';

export interface Variant {
  name: string;
  path: FramePath;
}

export async function framePaths(): Promise<Variant[]> {
  return [{ name: 'worker', path: await framePath() }];
}
