import { describe, expect, it } from 'vitest';
import { FrameTimings } from './frame-timings';

describe('FrameTimings', () => {
  it('keeps samples by direction and kind, and start() begins from an empty record', () => {
    const timings = new FrameTimings();
    expect(timings.enabled).toBe(false);
    timings.start();
    timings.record('send', 'video', 12.5, { read: 1, write: 2 });
    timings.record('receive', 'audio', 3);
    expect(timings.read()).toMatchObject({ 'send-audio': [], 'send-video': [12.5], 'receive-audio': [3], 'receive-video': [] });
    expect(timings.read()).toMatchObject({ 'send-video:read': [1], 'send-video:write': [2], 'receive-audio:read': [0], 'receive-video:read': [] });
    timings.start();
    expect(timings.read()['send-video']).toEqual([]);
  });

  it('holds a bounded number of samples, overwriting the oldest', () => {
    const timings = new FrameTimings();
    timings.start();
    for (let index = 0; index < 5000; index++) timings.record('send', 'video', index);
    const kept = timings.read()['send-video'];
    expect(kept).toHaveLength(4096);
    expect(Math.min(...kept)).toBe(5000 - 4096);
    expect(Math.max(...kept)).toBe(4999);
  });

  it('hands out a copy: later samples do not change what was read', () => {
    const timings = new FrameTimings();
    timings.start();
    const read = timings.read();
    timings.record('send', 'audio', 1);
    expect(read['send-audio']).toEqual([]);
  });
});
