import { describe, expect, it } from 'vitest';
import { SignalQueue } from './signal-queue';

describe('signal queue', () => {
  it('gives back what it held in order, once, and cuts a flood off at its bound', () => {
    const queue = new SignalQueue();
    for (let n = 0; n < 1000; n += 1) queue.push({ type: 'offer', sdp: `v=${String(n)}` });
    const taken = queue.take();
    expect(taken).toHaveLength(256);
    expect(taken[0]).toEqual({ type: 'offer', sdp: 'v=0' });
    expect(taken.at(-1)).toEqual({ type: 'offer', sdp: 'v=255' });
    expect(queue.take()).toEqual([]);
    queue.push({ renegotiate: true });
    queue.clear();
    expect(queue.take()).toEqual([]);
  });
});
