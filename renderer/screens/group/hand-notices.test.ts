import { describe, expect, it } from 'vitest';
import { newlyRaised } from './hand-notices';

describe('newlyRaised', () => {
  it('names the hands that went up, in the order they did, never yours or one that stayed up', () => {
    const before = new Map([['bob', 1]]);
    const after = new Map([
      ['bob', 1],
      ['dana', 4],
      ['me', 2],
      ['carol', 3],
    ]);
    expect(newlyRaised(before, after, 'me')).toEqual(['carol', 'dana']);
  });

  it('counts a hand lowered and raised again, and says nothing when hands only go down', () => {
    expect(newlyRaised(new Map([['bob', 1]]), new Map([['bob', 5]]), 'me')).toEqual(['bob']);
    expect(newlyRaised(new Map([['bob', 1]]), new Map(), 'me')).toEqual([]);
  });
});
