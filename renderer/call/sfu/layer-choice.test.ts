import { describe, expect, it } from 'vitest';
import { chooseLayer, COPING_WELL, isStruggling, layerForTiles, nextCoping, STEP_DOWN_AFTER, STEP_UP_AFTER, type Coping, type VideoSample } from './layer-choice';

const CLEAN: VideoSample = { packetsReceived: 500, packetsLost: 0, freezes: 0 };
const LOSSY: VideoSample = { packetsReceived: 450, packetsLost: 50, freezes: 0 };
const FROZEN: VideoSample = { packetsReceived: 500, packetsLost: 0, freezes: 1 };

function after(samples: VideoSample[], from: Coping = COPING_WELL): Coping {
  return samples.reduce(nextCoping, from);
}

describe('the simulcast layer a receiver asks Janus for', () => {
  it('gives large tiles the top layer, a full page of small ones the lowest', () => {
    expect([1, 2, 3, 4, 5, 9].map(layerForTiles)).toEqual([2, 2, 1, 1, 0, 0]);
    expect(chooseLayer('bob', ['alice', 'bob'], COPING_WELL)).toBe(2);
    expect(chooseLayer('bob', ['alice', 'bob', 'carol', 'dave'], COPING_WELL)).toBe(1);
    expect(chooseLayer('bob', Array.from({ length: 9 }, (_, i) => (i === 3 ? 'bob' : `m${String(i)}`)), COPING_WELL)).toBe(0);
  });

  it('pauses a member who is not on the page, and pauses nobody before the grid reports', () => {
    expect(chooseLayer('erin', ['alice', 'bob'], COPING_WELL)).toBe('paused');
    expect(chooseLayer('erin', [], COPING_WELL)).toBe('paused');
    expect(chooseLayer('erin', null, COPING_WELL)).toBe(1);
  });

  it('counts loss above 5% or a freeze as struggling, not a quiet sample', () => {
    expect(isStruggling(CLEAN)).toBe(false);
    expect(isStruggling({ packetsReceived: 96, packetsLost: 4, freezes: 0 })).toBe(false);
    expect(isStruggling({ packetsReceived: 94, packetsLost: 6, freezes: 0 })).toBe(true);
    expect(isStruggling(FROZEN)).toBe(true);
    expect(isStruggling({ packetsReceived: 0, packetsLost: 0, freezes: 0 })).toBe(false);
  });

  it('steps down one layer after two struggling samples in a row, not after one', () => {
    expect(STEP_DOWN_AFTER).toBe(2);
    expect(after([LOSSY]).stepDown).toBe(0);
    expect(after([LOSSY, CLEAN, LOSSY]).stepDown).toBe(0);
    const once = after([LOSSY, FROZEN]);
    expect(once.stepDown).toBe(1);
    expect(chooseLayer('bob', ['alice', 'bob'], once)).toBe(1);
    const twice = after([LOSSY, LOSSY, LOSSY, LOSSY, LOSSY, LOSSY]);
    expect(twice.stepDown).toBe(2);
    expect(chooseLayer('bob', ['alice', 'bob'], twice)).toBe(0);
    expect(chooseLayer('bob', ['alice', 'bob', 'carol'], twice)).toBe(0);
  });

  it('steps back up one layer after five clean samples in a row', () => {
    expect(STEP_UP_AFTER).toBe(5);
    const down = after([LOSSY, LOSSY, LOSSY, LOSSY]);
    expect(down.stepDown).toBe(2);
    expect(after([CLEAN, CLEAN, CLEAN, CLEAN], down).stepDown).toBe(2);
    expect(after([CLEAN, CLEAN, CLEAN, CLEAN, LOSSY, CLEAN], down).stepDown).toBe(2);
    const up = after([CLEAN, CLEAN, CLEAN, CLEAN, CLEAN], down);
    expect(up.stepDown).toBe(1);
    expect(after([CLEAN, CLEAN, CLEAN, CLEAN, CLEAN], up)).toEqual(COPING_WELL);
  });
});
