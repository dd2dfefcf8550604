import { describe, expect, it } from 'vitest';
import { fitPowerLaw, formatRatio, markdownTable, median, ms, percentile, verdict } from './bench-stats';

describe('percentile and median', () => {
  it('interpolate between the closest ranks, whatever the input order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
    expect(percentile([7], 90)).toBe(7);
  });

  it('clamp p to 0–100 and give NaN for no values', () => {
    expect(percentile([1, 2, 3], -5)).toBe(1);
    expect(percentile([1, 2, 3], 500)).toBe(3);
    expect(median([])).toBeNaN();
  });
});

describe('formatting', () => {
  it('prints ratios and milliseconds, and says n/a for what was not measured', () => {
    expect(formatRatio(150, 120)).toBe('1.25×');
    expect(formatRatio(150, 0)).toBe('n/a');
    expect(formatRatio(150, Number.NaN)).toBe('n/a');
    expect(ms(12.345)).toBe('12.3');
    expect(ms(Number.NaN)).toBe('n/a');
    expect(verdict(true)).toBe('met');
    expect(verdict(false)).toBe('**missed**');
  });

  it('builds a markdown table with the figure columns right-aligned', () => {
    expect(markdownTable(['step', 'ms'], [['ICE', '12.0']])).toBe('| step | ms |\n| --- | ---: |\n| ICE | 12.0 |');
  });
});

describe('fitPowerLaw', () => {
  it('recovers the exponent and coefficient of an exact power law', () => {
    const fit = fitPowerLaw([1000, 2000, 4000].map((n) => [n, 191 * n ** 2] as const));
    expect(fit.exponent).toBeCloseTo(2, 10);
    expect(fit.coefficient).toBeCloseTo(191, 6);
    expect(fit.r2).toBeCloseTo(1, 10);
    expect(fitPowerLaw([[1000, 5000], [2000, 10_000], [4000, 20_000]]).exponent).toBeCloseTo(1, 10);
  });

  it('fits the least-squares line through scattered points, and skips points it cannot take the log of', () => {
    // log2 y = 0, 1.5, 2 at log2 x = 0, 1, 2: slope 1 by least squares.
    const fit = fitPowerLaw([[1, 1], [2, 2 ** 1.5], [4, 4], [8, 0], [16, Number.NaN]]);
    expect(fit.exponent).toBeCloseTo(1, 10);
    // In log2 units: sxy = 2, sxx = 2, syy = 13/6, so r2 = 4 / (2 · 13/6) = 12/13.
    expect(fit.r2).toBeCloseTo(12 / 13, 10);
  });

  it('gives NaN without two distinct sizes', () => {
    expect(fitPowerLaw([[1000, 5]]).exponent).toBeNaN();
    expect(fitPowerLaw([[1000, 5], [1000, 7]]).exponent).toBeNaN();
    expect(fitPowerLaw([]).exponent).toBeNaN();
  });
});
