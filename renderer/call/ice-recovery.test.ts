import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IceRecovery } from './ice-recovery';

const timing = { restartAfterMs: 2_000, restartEveryMs: 5_000, giveUpAfterMs: 18_000 };

function recovery(canRestart = true) {
  const seen = { restarts: 0, changes: 0, gaveUp: 0 };
  const ice = new IceRecovery(
    {
      restart: () => {
        seen.restarts++;
        return canRestart;
      },
      changed: () => seen.changes++,
      giveUp: () => seen.gaveUp++,
    },
    timing,
  );
  return { ice, seen };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('IceRecovery', () => {
  it('leaves a short disconnect alone, and counts it as over when ICE is back', () => {
    const { ice, seen } = recovery();
    ice.observe('disconnected');
    expect(ice.reconnecting).toBe(true);
    vi.advanceTimersByTime(1_999);
    ice.observe('connected');
    vi.advanceTimersByTime(60_000);
    expect(seen).toEqual({ restarts: 0, changes: 2, gaveUp: 0 });
    expect(ice.reconnecting).toBe(false);
  });

  it('restarts after a while, again while still down, and not once the path is back', () => {
    const { ice, seen } = recovery();
    ice.observe('disconnected');
    vi.advanceTimersByTime(2_000);
    expect(seen.restarts).toBe(1);
    ice.observe('disconnected');
    vi.advanceTimersByTime(5_000);
    expect(seen.restarts).toBe(2);
    ice.observe('completed');
    vi.advanceTimersByTime(60_000);
    expect(seen.restarts).toBe(2);
    expect(seen.gaveUp).toBe(0);
    expect(ice.restarts).toBe(2);
  });

  it("restarts at once on 'failed'", () => {
    const { ice, seen } = recovery();
    ice.observe('failed');
    expect(seen.restarts).toBe(1);
  });

  it('gives up after the window, once, and stops restarting', () => {
    const { ice, seen } = recovery();
    ice.observe('disconnected');
    vi.advanceTimersByTime(17_999);
    expect(seen.gaveUp).toBe(0);
    vi.advanceTimersByTime(1);
    expect(seen.gaveUp).toBe(1);
    const restarts = seen.restarts;
    vi.advanceTimersByTime(60_000);
    expect(seen.restarts).toBe(restarts);
    expect(seen.gaveUp).toBe(1);
  });

  it('the answering side only waits for the offerer, and counts no restart of its own', () => {
    const { ice, seen } = recovery(false);
    ice.observe('failed');
    vi.advanceTimersByTime(10_000);
    expect(seen.restarts).toBeGreaterThan(0);
    expect(ice.restarts).toBe(0);
  });

  it('does nothing once disposed', () => {
    const { ice, seen } = recovery();
    ice.observe('disconnected');
    ice.dispose();
    vi.advanceTimersByTime(60_000);
    expect(seen).toEqual({ restarts: 0, changes: 1, gaveUp: 0 });
  });
});
