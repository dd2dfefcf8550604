import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, type OutgoingCallMessage, type ServerMessage } from '../../shared/protocol';
import { CallRelay } from './call-relay';

const v = PROTOCOL_VERSION;
const callId = 'CCCCCCCCCCCCCCCCCCCCCC';
const ake = { commitment: 'A'.repeat(43), signature: 'A'.repeat(86) };

function setup(online = ['alice', 'bob', 'carol']) {
  const delivered: [string, ServerMessage][] = [];
  const busyChanges: string[] = [];
  const relay = new CallRelay(
    {
      deliver: (userId, message) => {
        delivered.push([userId, message]);
        return online.includes(userId);
      },
      isOnline: (userId) => online.includes(userId),
      isKnown: (userId) => ['alice', 'bob', 'carol', 'dave'].includes(userId),
      busyChanged: (userId) => {
        busyChanges.push(userId);
      },
    },
    30_000,
  );
  return { relay, delivered, busyChanges };
}

const invite = (to = 'bob', id = callId): OutgoingCallMessage => ({ v, type: 'call.invite', callId: id, to, media: { audio: true, video: false }, ake });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CallRelay', () => {
  it('times out an unanswered invite after the configured time, and only then', () => {
    const { relay, delivered } = setup();
    relay.handle('alice', invite());
    vi.advanceTimersByTime(29_999);
    expect(relay.isBusy('alice')).toBe(true);
    vi.advanceTimersByTime(1);
    expect(relay.isBusy('alice')).toBe(false);
    expect(relay.isBusy('bob')).toBe(false);
    expect(delivered.slice(-2)).toEqual([
      ['alice', { v, type: 'call.ended', callId, reason: 'timeout' }],
      ['bob', { v, type: 'call.ended', callId, reason: 'timeout' }],
    ]);
  });

  it('does not time out once accepted', () => {
    const { relay } = setup();
    relay.handle('alice', invite());
    expect(relay.handle('bob', { v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: true }, ake: { ephemeralKey: 'A'.repeat(43), fingerprint: 'sha-256 AB', signature: 'A'.repeat(86) } })).toBeUndefined();
    vi.advanceTimersByTime(120_000);
    expect(relay.activeCalls).toBe(1);
  });

  it('marks both parties busy for presence, and frees them when the call ends', () => {
    const { relay, busyChanges } = setup();
    relay.handle('alice', invite());
    expect(busyChanges).toEqual(['alice', 'bob']);
    relay.handle('alice', { v, type: 'call.cancel', callId, to: 'bob' });
    expect(busyChanges).toEqual(['alice', 'bob', 'alice', 'bob']);
    expect(relay.activeCalls).toBe(0);
  });

  it('answers busy on behalf of a callee already in a call', () => {
    const { relay, delivered } = setup();
    relay.handle('alice', invite());
    const second = 'DDDDDDDDDDDDDDDDDDDDDD';
    expect(relay.handle('carol', invite('bob', second))).toBeUndefined();
    expect(delivered.at(-1)).toEqual(['carol', { v, type: 'call.busy', callId: second, from: 'bob' }]);
    expect(relay.isBusy('carol')).toBe(false);
  });

  it('refuses unknown and offline targets with distinct codes', () => {
    const { relay } = setup();
    expect(relay.handle('alice', invite('zed'))?.code).toBe('unknown-user');
    expect(relay.handle('alice', invite('dave'))?.code).toBe('user-offline');
  });

  it('tells the peer when a party is gone, once', () => {
    const { relay, delivered } = setup();
    relay.handle('alice', invite());
    relay.userGone('bob', 'peer-revoked');
    relay.userGone('bob', 'peer-revoked');
    expect(delivered.filter(([, m]) => m.type === 'call.ended')).toEqual([['alice', { v, type: 'call.ended', callId, reason: 'peer-revoked' }]]);
    vi.advanceTimersByTime(60_000);
    expect(delivered.filter(([, m]) => m.type === 'call.ended')).toHaveLength(1);
  });

  it('enforces who may send what, in which state', () => {
    const { relay } = setup();
    relay.handle('alice', invite());
    const reveal = { ephemeralKey: 'A'.repeat(43), fingerprint: 'sha-256 AB', signature: 'A'.repeat(86) };
    expect(relay.handle('alice', { v, type: 'call.ringing', callId, to: 'bob' })?.code).toBe('not-in-call');
    expect(relay.handle('bob', { v, type: 'call.confirm', callId, to: 'alice', ake: reveal })?.code).toBe('not-in-call');
    expect(relay.handle('bob', { v, type: 'call.signal', callId, to: 'alice', data: { renegotiate: true } })?.code).toBe('not-in-call');
    expect(relay.handle('bob', { v, type: 'call.cancel', callId, to: 'alice' })?.code).toBe('not-in-call');
    expect(relay.handle('bob', { v, type: 'call.ringing', callId, to: 'alice' })).toBeUndefined();
    expect(relay.handle('bob', { v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: true }, ake: reveal })).toBeUndefined();
    expect(relay.handle('bob', { v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: true }, ake: reveal })?.code).toBe('not-in-call');
    expect(relay.handle('alice', { v, type: 'call.confirm', callId, to: 'bob', ake: reveal })).toBeUndefined();
    expect(relay.handle('bob', { v, type: 'call.signal', callId, to: 'alice', data: { renegotiate: true } })).toBeUndefined();
    expect(relay.handle('alice', { v, type: 'call.hangup', callId, to: 'bob', reason: 'hangup' })).toBeUndefined();
    expect(relay.handle('bob', { v, type: 'call.signal', callId, to: 'alice', data: { renegotiate: true } })?.code).toBe('not-in-call');
  });

  describe('a dropped party and a restarted server', () => {
    const reveal = { ephemeralKey: 'A'.repeat(43), fingerprint: 'sha-256 AB', signature: 'A'.repeat(86) };
    const accept = (): OutgoingCallMessage => ({ v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: true }, ake: reveal });
    const signal = (from: 'alice' | 'bob'): OutgoingCallMessage => ({ v, type: 'call.signal', callId, to: from === 'alice' ? 'bob' : 'alice', data: { renegotiate: true } });
    const resume = (from: 'alice' | 'bob', id = callId): OutgoingCallMessage => ({
      v,
      type: 'call.resume',
      callId: id,
      to: from === 'alice' ? 'bob' : 'alice',
      role: from === 'alice' ? 'caller' : 'callee',
    });
    const ended = (delivered: [string, ServerMessage][]) => delivered.filter(([, m]) => m.type === 'call.ended');

    it('keeps an active call through the grace, and ends it for the peer only when it runs out', () => {
      const { relay, delivered } = setup();
      relay.handle('alice', invite());
      relay.handle('bob', accept());
      relay.userGone('bob', 'peer-disconnected');
      vi.advanceTimersByTime(19_999);
      expect(ended(delivered)).toEqual([]);
      expect(relay.isBusy('alice')).toBe(true);
      vi.advanceTimersByTime(1);
      expect(ended(delivered)).toEqual([['alice', { v, type: 'call.ended', callId, reason: 'peer-disconnected' }]]);
      expect(relay.activeCalls).toBe(0);
    });

    it('a party back within the grace resumes the call: no end, and signals flow again', () => {
      const { relay, delivered } = setup();
      relay.handle('alice', invite());
      relay.handle('bob', accept());
      relay.userGone('bob', 'peer-disconnected');
      vi.advanceTimersByTime(5_000);
      expect(relay.handle('bob', resume('bob'))).toBeUndefined();
      vi.advanceTimersByTime(60_000);
      expect(ended(delivered)).toEqual([]);
      expect(relay.handle('alice', signal('alice'))).toBeUndefined();
      expect(delivered.at(-1)).toEqual(['bob', { v, type: 'call.signal', callId, from: 'alice', data: { renegotiate: true } }]);
    });

    it('a ringing call still ends at once when a party drops', () => {
      const { relay, delivered } = setup();
      relay.handle('alice', invite());
      relay.userGone('alice', 'peer-disconnected');
      expect(ended(delivered)).toEqual([['bob', { v, type: 'call.ended', callId, reason: 'peer-disconnected' }]]);
    });

    it('after a restart, two matching claims bring the call back; one claim alone relays nothing', () => {
      const { relay, delivered, busyChanges } = setup();
      expect(relay.handle('alice', resume('alice'))).toBeUndefined();
      expect(relay.handle('bob', signal('bob'))?.code).toBe('not-in-call');
      // Alice's signal waits for Bob's claim, then reaches him.
      expect(relay.handle('alice', signal('alice'))).toBeUndefined();
      expect(delivered).toEqual([]);
      expect(relay.handle('bob', resume('bob'))).toBeUndefined();
      expect(relay.activeCalls).toBe(1);
      expect(delivered).toEqual([['bob', { v, type: 'call.signal', callId, from: 'alice', data: { renegotiate: true } }]]);
      expect(busyChanges).toEqual(['bob', 'alice']);
      expect(relay.handle('bob', signal('bob'))).toBeUndefined();
      expect(delivered.at(-1)).toEqual(['alice', { v, type: 'call.signal', callId, from: 'bob', data: { renegotiate: true } }]);
      expect(relay.handle('carol', invite('alice', 'DDDDDDDDDDDDDDDDDDDDDD'))).toBeUndefined();
      expect(delivered.at(-1)).toEqual(['carol', { v, type: 'call.busy', callId: 'DDDDDDDDDDDDDDDDDDDDDD', from: 'alice' }]);
    });

    it('refuses claims that do not match: a third party, the same role twice, a call that is not theirs', () => {
      const { relay } = setup();
      relay.handle('alice', resume('alice'));
      expect(relay.handle('carol', { v, type: 'call.resume', callId, to: 'alice', role: 'callee' })?.code).toBe('not-in-call');
      expect(relay.handle('bob', { v, type: 'call.resume', callId, to: 'alice', role: 'caller' })?.code).toBe('not-in-call');
      expect(relay.activeCalls).toBe(0);
      relay.handle('bob', resume('bob'));
      expect(relay.activeCalls).toBe(1);
      expect(relay.handle('carol', { v, type: 'call.resume', callId, to: 'bob', role: 'caller' })?.code).toBe('not-in-call');
      expect(relay.handle('carol', invite('carol', 'EEEEEEEEEEEEEEEEEEEEEE'))?.code).toBe('bad-message');
    });

    it('an unmatched claim expires, and a dropped party who calls someone else leaves the old call', () => {
      const { relay, delivered } = setup();
      relay.handle('alice', resume('alice'));
      vi.advanceTimersByTime(60_001);
      relay.handle('bob', resume('bob'));
      expect(relay.activeCalls).toBe(0);

      const second = 'FFFFFFFFFFFFFFFFFFFFFF';
      relay.handle('carol', invite('bob', second));
      relay.handle('bob', { ...accept(), callId: second, to: 'carol' });
      relay.userGone('bob', 'peer-disconnected');
      expect(relay.handle('bob', invite('alice', 'GGGGGGGGGGGGGGGGGGGGGG'))).toBeUndefined();
      expect(ended(delivered)).toEqual([['carol', { v, type: 'call.ended', callId: second, reason: 'peer-disconnected' }]]);
      expect(relay.isBusy('carol')).toBe(false);
    });
  });
});
