import { describe, expect, it } from 'vitest';
import { FeedRoster } from './feed-roster';
import { readRoomNews, readStreams } from './videoroom-answers';

describe('the feeds an SFU member subscribes to', () => {
  it('takes one feed per other member of the group, none for itself, outsiders or a second claim of a name', () => {
    const roster = new FeedRoster();
    roster.add([
      { id: 11, display: 'bob' },
      { id: 12, display: 'alice' },
      { id: 13, display: 'mallory' },
      { id: 14, display: 'bob' },
      { id: 15, display: 'carol' },
    ]);
    const members = new Set(['alice', 'bob', 'carol']);
    expect(roster.wanted(members, 'alice')).toEqual(new Map([[11, 'bob'], [15, 'carol']]));
    // Bob's first feed gone: the other that says it is Bob is taken (its frames open only if they are his).
    roster.remove(11);
    expect(roster.wanted(members, 'alice')).toEqual(new Map([[14, 'bob'], [15, 'carol']]));
    // Carol out of the group: her feed is let go.
    expect(roster.wanted(new Set(['alice', 'bob']), 'alice')).toEqual(new Map([[14, 'bob']]));
  });
});

describe("Janus's VideoRoom answers as the page reads them", () => {
  it('reads publishers, departures and its own kick, and nothing from a malformed event', () => {
    expect(readRoomNews({ videoroom: 'event', publishers: [{ id: 5, display: 'bob' }, { id: 'x' }, { id: 6 }] }, 9)).toEqual({ kind: 'publishers', publishers: [{ id: 5, display: 'bob' }] });
    expect(readRoomNews({ videoroom: 'event', leaving: 5 }, 9)).toEqual({ kind: 'gone', id: 5 });
    expect(readRoomNews({ videoroom: 'event', unpublished: 5 }, 9)).toEqual({ kind: 'gone', id: 5 });
    expect(readRoomNews({ videoroom: 'event', leaving: 'ok', reason: 'kicked' }, 9)).toEqual({ kind: 'kicked' });
    expect(readRoomNews({ videoroom: 'event', kicked: 9 }, 9)).toEqual({ kind: 'kicked' });
    expect(readRoomNews({ videoroom: 'event', publishers: 'many' }, 9)).toEqual({ kind: 'publishers', publishers: [] });
    expect(readRoomNews({ videoroom: 'slowlink' }, 9)).toEqual({ kind: 'other' });
  });

  it("reads a subscription's active audio and video streams, skipping data, inactive and malformed ones", () => {
    const streams = readStreams({
      streams: [
        { mid: '0', feed_id: 5, type: 'audio' },
        { mid: '1', feed_id: 5, type: 'video' },
        { mid: '2', feed_id: 6, type: 'video', active: false },
        { mid: '3', type: 'data' },
        { mid: 4, feed_id: 7, type: 'video' },
      ],
    });
    expect(streams).toEqual([
      { mid: '0', feed: 5, kind: 'audio' },
      { mid: '1', feed: 5, kind: 'video' },
    ]);
    expect(readStreams({})).toBeUndefined();
  });
});
