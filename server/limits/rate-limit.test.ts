import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit';

describe('TokenBucket', () => {
  it('allows the burst at once, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const first = Array.from({ length: 8 }, () => bucket.take(0));
    expect(first.filter(Boolean)).toHaveLength(5);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    // A long pause refills only up to the burst.
    const later = Array.from({ length: 10 }, () => bucket.take(60_000));
    expect(later.filter(Boolean)).toHaveLength(5);
  });

  it('is not fooled by a clock that goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
  });
});
