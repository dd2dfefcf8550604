import { describe, expect, it } from 'vitest';
import { NO_SPEAKER, sampleSpeakers, type SpeakerState } from './active-speaker';

const STEP = 100;

/**
 * Feeds one sample every 100 ms: each entry gives the levels of that sample, and the result is
 * the speaker after each one.
 */
function speakersOver(samples: readonly Record<string, number>[], start: SpeakerState = NO_SPEAKER): (string | null)[] {
  let state = start;
  return samples.map((levels, index) => {
    state = sampleSpeakers(state, index * STEP, new Map(Object.entries(levels)));
    return state.speaker;
  });
}

const repeat = <T>(times: number, value: T): T[] => Array.from({ length: times }, () => value);

describe('sampleSpeakers', () => {
  it('names nobody while everyone is silent or at room noise', () => {
    const speakers = speakersOver(repeat(30, { alice: 0, bob: 0.005, carol: 0.01 }));
    expect(new Set(speakers)).toEqual(new Set([null]));
  });

  it('names someone who talks once the talk has lasted, not at the first loud sample', () => {
    const speakers = speakersOver(repeat(10, { alice: 0.2, bob: 0 }));
    expect(speakers.slice(0, 3)).toEqual([null, null, null]);
    expect(speakers.slice(3)).toEqual(repeat(7, 'alice'));
  });

  it('ignores a click or a cough', () => {
    const speakers = speakersOver([{ alice: 0 }, { alice: 0.8 }, { alice: 0.6 }, ...repeat(20, { alice: 0 })]);
    expect(new Set(speakers)).toEqual(new Set([null]));
  });

  it('keeps the speaker through the pauses between words', () => {
    const talk = repeat(5, { alice: 0.2, bob: 0 });
    const pause = repeat(6, { alice: 0, bob: 0 });
    const speakers = speakersOver([...talk, ...pause, ...talk, ...pause, ...talk]);
    expect(speakers.slice(3)).toEqual(repeat(speakers.length - 3, 'alice'));
  });

  it('names nobody again once everyone has been silent past the hold time', () => {
    const speakers = speakersOver([...repeat(10, { alice: 0.2 }), ...repeat(20, { alice: 0 })]);
    expect(speakers[9]).toBe('alice');
    expect(speakers.at(-1)).toBeNull();
    // Last loud sample at 900 ms, held 800 ms: still the speaker at 1700, gone at 1800.
    expect(speakers[17]).toBe('alice');
    expect(speakers[18]).toBeNull();
  });

  it('does not move the highlight to someone quieter talking over the speaker', () => {
    const speakers = speakersOver([...repeat(10, { alice: 0.2, bob: 0 }), ...repeat(30, { alice: 0.2, bob: 0.1 })]);
    expect(speakers.slice(3)).toEqual(repeat(37, 'alice'));
  });

  it('does not move it for a short louder burst (hysteresis)', () => {
    const speakers = speakersOver([
      ...repeat(10, { alice: 0.2, bob: 0 }),
      ...repeat(6, { alice: 0.2, bob: 0.6 }),
      ...repeat(20, { alice: 0.2, bob: 0 }),
    ]);
    expect(speakers.slice(3)).toEqual(repeat(33, 'alice'));
  });

  it('moves it to someone who stays louder for the switch time, once', () => {
    const speakers = speakersOver([...repeat(10, { alice: 0.2, bob: 0 }), ...repeat(30, { alice: 0.2, bob: 0.6 })]);
    const firstBob = speakers.indexOf('bob');
    expect(firstBob).toBeGreaterThan(10 + 6);
    expect(speakers.slice(3, firstBob)).toEqual(repeat(firstBob - 3, 'alice'));
    expect(speakers.slice(firstBob)).toEqual(repeat(speakers.length - firstBob, 'bob'));
  });

  it('hands over when one stops and the other answers', () => {
    const speakers = speakersOver([...repeat(10, { alice: 0.2, bob: 0 }), ...repeat(20, { alice: 0, bob: 0.2 })]);
    expect(speakers[9]).toBe('alice');
    expect(speakers.at(-1)).toBe('bob');
    // Never nobody in between: Bob talks before Alice's hold runs out.
    expect(speakers.slice(3)).not.toContain(null);
  });

  it('picks the louder of two who start together', () => {
    const speakers = speakersOver(repeat(10, { bob: 0.1, alice: 0.3 }));
    expect(speakers.at(-1)).toBe('alice');
  });

  it('forgets a speaker who leaves', () => {
    const speakers = speakersOver([...repeat(10, { alice: 0.2, bob: 0 }), ...repeat(3, { bob: 0 })]);
    expect(speakers[9]).toBe('alice');
    expect(speakers.slice(10)).toEqual([null, null, null]);
  });

  it('ignores a sample not later than the last one', () => {
    let state = NO_SPEAKER;
    for (let at = 0; at <= 500; at += STEP) state = sampleSpeakers(state, at, new Map([['alice', 0.2]]));
    expect(state.speaker).toBe('alice');
    const same = sampleSpeakers(state, 500, new Map([['bob', 0.9]]));
    const earlier = sampleSpeakers(state, 100, new Map());
    const notANumber = sampleSpeakers(state, Number.NaN, new Map());
    expect(same).toBe(state);
    expect(earlier).toBe(state);
    expect(notANumber).toBe(state);
  });

  it('treats levels that are not numbers in [0, 1] as silence or full scale', () => {
    expect(new Set(speakersOver(repeat(10, { alice: Number.NaN, bob: -1 })))).toEqual(new Set([null]));
    expect(speakersOver(repeat(10, { alice: Number.POSITIVE_INFINITY, bob: 0.5 })).at(-1)).toBe('alice');
  });
});
