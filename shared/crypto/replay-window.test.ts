import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCryptoError } from './errors';
import { REPLAY_WINDOW_SIZE, ReplayWindow } from './replay-window';

/** What the window does for one frame that authenticates: true when it is accepted. */
function receive(window: ReplayWindow, ctr: bigint): boolean {
  if (!window.allows(ctr)) return false;
  window.record(ctr);
  return true;
}

describe('ReplayWindow (RFC 9605 §9.3)', () => {
  it('accepts each counter once', () => {
    const window = new ReplayWindow();
    expect(receive(window, 0n)).toBe(true);
    expect(receive(window, 0n)).toBe(false);
    expect(receive(window, 1n)).toBe(true);
    expect(receive(window, 1n)).toBe(false);
    expect(receive(window, 0n)).toBe(false);
  });

  it('accepts counters out of order inside the window, each once', () => {
    const window = new ReplayWindow();
    expect(receive(window, 100n)).toBe(true);
    expect(receive(window, 40n)).toBe(true);
    expect(receive(window, 99n)).toBe(true);
    expect(receive(window, 40n)).toBe(false);
    expect(receive(window, 99n)).toBe(false);
    expect(receive(window, 100n)).toBe(false);
    expect(receive(window, 41n)).toBe(true);
  });

  it('refuses a counter a full window behind the highest, and accepts the one just inside', () => {
    const window = new ReplayWindow();
    const highest = BigInt(REPLAY_WINDOW_SIZE) * 3n + 17n;
    expect(receive(window, highest)).toBe(true);
    expect(window.allows(highest - BigInt(REPLAY_WINDOW_SIZE))).toBe(false);
    expect(receive(window, highest - BigInt(REPLAY_WINDOW_SIZE) + 1n)).toBe(true);
  });

  it('forgets the bits of counters a jump passed over, so they open once', () => {
    const window = new ReplayWindow(64);
    for (let ctr = 0n; ctr < 64n; ctr++) expect(receive(window, ctr)).toBe(true);
    // 64 + 10 takes the slots of 0..10 (mod 64); 65..73 were never seen and must be accepted.
    expect(receive(window, 74n)).toBe(true);
    for (let ctr = 65n; ctr < 74n; ctr++) expect(receive(window, ctr)).toBe(true);
    expect(receive(window, 64n)).toBe(true);
    for (let ctr = 11n; ctr <= 74n; ctr++) expect(receive(window, ctr)).toBe(false);
    // A jump wider than the window clears it all.
    expect(receive(window, 1000n)).toBe(true);
    expect(receive(window, 999n)).toBe(true);
    expect(receive(window, 936n)).toBe(false);
    expect(receive(window, 937n)).toBe(true);
  });

  it('does not move when only asked: a frame that fails to authenticate is never recorded', () => {
    const window = new ReplayWindow(64);
    expect(receive(window, 5n)).toBe(true);
    // A forged frame claiming a far counter is checked, fails its tag, and is not recorded.
    expect(window.allows(1n << 40n)).toBe(true);
    expect(receive(window, 6n)).toBe(true);
    expect(receive(window, 4n)).toBe(true);
  });

  it('works at the top of the 64-bit counter range', () => {
    const window = new ReplayWindow();
    const top = (1n << 64n) - 1n;
    expect(receive(window, top - 1n)).toBe(true);
    expect(receive(window, top)).toBe(true);
    expect(receive(window, top)).toBe(false);
    expect(receive(window, top - 1n)).toBe(false);
    expect(receive(window, top - 2n)).toBe(true);
  });

  it('matches a plain set of accepted counters on any arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }), (arrivals) => {
        const window = new ReplayWindow(64);
        const accepted = new Set<number>();
        let highest = -1;
        for (const ctr of arrivals) {
          const expected = !accepted.has(ctr) && ctr > highest - 64;
          expect(receive(window, BigInt(ctr))).toBe(expected);
          if (expected) {
            accepted.add(ctr);
            highest = Math.max(highest, ctr);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a size that is not a positive multiple of 32', () => {
    for (const size of [0, 31, 33, -32, 1.5]) {
      let thrown: unknown;
      try {
        new ReplayWindow(size);
      } catch (error) {
        thrown = error;
      }
      expect(isCryptoError(thrown, 'invalid-input')).toBe(true);
    }
  });
});
