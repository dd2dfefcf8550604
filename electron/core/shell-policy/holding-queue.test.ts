import { describe, expect, it } from 'vitest';
import { createHoldingQueue } from './holding-queue';

describe('createHoldingQueue', () => {
  it('holds items until a taker attaches, then passes them straight through', () => {
    const queue = createHoldingQueue<number>(4);
    queue.push(1);
    queue.push(2);
    const taken: number[] = [];
    queue.attach((item) => taken.push(item));
    queue.push(3);
    expect(taken).toEqual([1, 2, 3]);
  });

  it('keeps only the newest items while nobody takes them', () => {
    const queue = createHoldingQueue<number>(2);
    for (let i = 1; i <= 5; i += 1) queue.push(i);
    const taken: number[] = [];
    queue.attach((item) => taken.push(item));
    expect(taken).toEqual([4, 5]);
  });
});
