/** The arithmetic and formatting the browser benchmarks share: medians, percentiles, ratios, tables. */

/** The p-th percentile (0–100) by linear interpolation between the closest ranks; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const lower = sorted[below] ?? Number.NaN;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] ?? Number.NaN;
  return lower + (upper - lower) * (rank - below);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** "1.23×", or "n/a" when the floor is missing or zero. */
export function formatRatio(value: number, floor: number): string {
  const ratio = value / floor;
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a';
}

/** A figure against its goal, as the tables print it: "met" or "**missed**". */
export function verdict(met: boolean): string {
  return met ? 'met' : '**missed**';
}

/** How far two CPU rows' frame rates may differ and still be judged like for like. */
const LIKE_FPS = 0.15;

/**
 * A CPU verdict only where the two calls sent video at about the same rate: WebRTC lowers the rate
 * when the machine is short of CPU, and a row with fewer frames costs less for that reason alone.
 */
export function cpuVerdict(met: boolean, fps: number, floorFps: number): string {
  if (!(Math.abs(fps - floorFps) <= LIKE_FPS * floorFps)) return `not judged: ${fps.toFixed(1)} against ${floorFps.toFixed(1)} fps`;
  return verdict(met);
}

/** A GitHub markdown table; columns after the first are right-aligned (they hold figures). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, index) => (index === 0 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

/** Milliseconds with one decimal, or "n/a" when not measured. */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : 'n/a';
}

/**
 * Least-squares fit of y = c·x^k on log-log axes: k says how a cost grows with size (1 linear,
 * 2 quadratic); r2 (0–1) how well a power law explains the points at all (noise on a figure that
 * barely grows gives a low one). Points with a non-positive or non-finite coordinate are left out;
 * fewer than two distinct x give NaN.
 */
export function fitPowerLaw(points: readonly (readonly [x: number, y: number])[]): { exponent: number; coefficient: number; r2: number } {
  const logs = points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => [Math.log(x), Math.log(y)] as const);
  const meanX = logs.reduce((sum, [lx]) => sum + lx, 0) / logs.length;
  const meanY = logs.reduce((sum, [, ly]) => sum + ly, 0) / logs.length;
  const sxx = logs.reduce((sum, [lx]) => sum + (lx - meanX) ** 2, 0);
  const sxy = logs.reduce((sum, [lx, ly]) => sum + (lx - meanX) * (ly - meanY), 0);
  const syy = logs.reduce((sum, [, ly]) => sum + (ly - meanY) ** 2, 0);
  if (logs.length < 2 || sxx === 0) return { exponent: Number.NaN, coefficient: Number.NaN, r2: Number.NaN };
  const exponent = sxy / sxx;
  return { exponent, coefficient: Math.exp(meanY - exponent * meanX), r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}
