import { describe, expect, it } from 'vitest';
import { parseThreadStat } from './thread-cpu';

describe('parseThreadStat', () => {
  it('reads the name and utime + stime, even when the name holds spaces and parentheses', () => {
    const line = '4242 (Media (x) 1) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 100 0 0';
    const parsed = parseThreadStat(line);
    expect(parsed?.name).toBe('Media (x) 1');
    // 300 ticks at the usual 100 a second.
    expect(parsed?.seconds).toBeCloseTo(300 / 100, 5);
    expect(parseThreadStat('garbage')).toBeNull();
  });
});
