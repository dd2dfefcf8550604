import { describe, expect, it } from 'vitest';
import { LayerControl } from './layer-control';

/** A getStats report with one video slot per entry (what LayerControl reads of it). */
function report(slots: { mid: string; packetsReceived: number; packetsLost: number; freezeCount?: number }[]): RTCStatsReport {
  const stats = new Map<string, Record<string, unknown>>(slots.map((slot) => [`in-${slot.mid}`, { type: 'inbound-rtp', kind: 'video', freezeCount: 0, ...slot }]));
  stats.set('audio', { type: 'inbound-rtp', kind: 'audio', mid: '0', packetsReceived: 0, packetsLost: 1000 });
  return stats;
}

describe("the subscription's layer control", () => {
  const members = new Map([['1', 'bob'], ['3', 'carol']]);
  const memberOfMid = (mid: string) => members.get(mid) ?? null;

  it('steps a member down on the loss between samples, not on the loss counted before', () => {
    const control = new LayerControl();
    const page = ['alice', 'bob', 'carol'];
    // Loss from before the first sample is not held against anyone.
    expect(control.update(report([{ mid: '1', packetsReceived: 1000, packetsLost: 500 }, { mid: '3', packetsReceived: 1000, packetsLost: 0 }]), memberOfMid, page)).toEqual(new Map([['bob', 1], ['carol', 1]]));
    // The first sample after asking for a layer is not scored (the switch's own wait); then two lossy ones.
    control.update(report([{ mid: '1', packetsReceived: 1100, packetsLost: 600 }, { mid: '3', packetsReceived: 1100, packetsLost: 0 }]), memberOfMid, page);
    control.update(report([{ mid: '1', packetsReceived: 1200, packetsLost: 700 }, { mid: '3', packetsReceived: 1200, packetsLost: 0 }]), memberOfMid, page);
    const wanted = control.update(report([{ mid: '1', packetsReceived: 1300, packetsLost: 800 }, { mid: '3', packetsReceived: 1300, packetsLost: 0 }]), memberOfMid, page);
    expect(wanted).toEqual(new Map([['bob', 0], ['carol', 1]]));
  });

  it('does not count the freeze of a layer switch against the member it switched', () => {
    const control = new LayerControl();
    const sample = (packets: number, freezes: number) => report([{ mid: '1', packetsReceived: packets, packetsLost: 0, freezeCount: freezes }]);
    expect(control.update(sample(100, 0), memberOfMid, ['alice', 'bob'])).toEqual(new Map([['bob', 2]]));
    // The page grows: Bob's tile shrinks to the middle layer, and the switch freezes his video once.
    expect(control.update(sample(200, 0), memberOfMid, ['alice', 'bob', 'carol'])).toEqual(new Map([['bob', 1]]));
    expect(control.update(sample(300, 1), memberOfMid, ['alice', 'bob', 'carol'])).toEqual(new Map([['bob', 1]]));
    // Freezes that go on after the switch settled do count: the second in a row steps him down.
    expect(control.update(sample(400, 2), memberOfMid, ['alice', 'bob', 'carol'])).toEqual(new Map([['bob', 1]]));
    expect(control.update(sample(500, 3), memberOfMid, ['alice', 'bob', 'carol'])).toEqual(new Map([['bob', 0]]));
  });

  it('starts afresh when a slot carries someone else, and pauses who is off the page', () => {
    const control = new LayerControl();
    control.update(report([{ mid: '1', packetsReceived: 1000, packetsLost: 0 }]), memberOfMid, ['alice', 'bob']);
    const moved = (mid: string) => (mid === '1' ? 'dave' : null);
    // Dave's first sample in the slot is not a difference against Bob's counters: one lossy
    // sample after it is not yet two in a row.
    control.update(report([{ mid: '1', packetsReceived: 10, packetsLost: 900 }]), moved, ['alice', 'dave']);
    expect(control.update(report([{ mid: '1', packetsReceived: 20, packetsLost: 1000 }]), moved, ['alice', 'dave'])).toEqual(new Map([['dave', 2]]));
    expect(control.update(report([{ mid: '1', packetsReceived: 30, packetsLost: 1000 }]), moved, ['alice'])).toEqual(new Map([['dave', 'paused']]));
  });
});
