import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseServerMessage, PROTOCOL_VERSION, type OutgoingCallMessage, type ServerMessage } from '../../shared/protocol';
import { ClusterNode } from '../cluster/cluster-node';
import { silentLogger } from '../log/logger';
import { redisMissingReason, startRedis, type RedisProcess } from '../test-support/redis-server.fixture';
import { CallRelay } from './call-relay';
import type { Relay } from './relay';

/*
 * One behavioural suite for both call relays: the in-memory one a single instance runs and the
 * Redis one a cluster runs (against a real redis-server). Whatever one does, the other must do
 * too; the timers are short and real, and every wait is for an event, never a duration asserted.
 */

const v = PROTOCOL_VERSION;
const INVITE_MS = 400;
const GRACE_MS = 400;
const KNOWN = ['alice', 'bob', 'carol', 'dave'];
const ake = { commitment: 'A'.repeat(43), signature: 'A'.repeat(86) };
const reveal = { ephemeralKey: 'A'.repeat(43), fingerprint: 'sha-256 AB', signature: 'A'.repeat(86) };

interface Subject {
  relay: Relay;
  /** What reached each online user, in order. */
  delivered: [string, ServerMessage][];
  online(userId: string): Promise<void>;
  /** The user's session closed (a dropped connection). */
  offline(userId: string): Promise<void>;
  close(): Promise<void>;
}

function memorySubject(): Subject {
  const online = new Set<string>();
  const delivered: [string, ServerMessage][] = [];
  const relay = new CallRelay(
    {
      deliver: (userId, message) => {
        if (!online.has(userId)) return false;
        delivered.push([userId, message]);
        return true;
      },
      isOnline: (userId) => online.has(userId),
      isKnown: (userId) => KNOWN.includes(userId),
      busyChanged: () => undefined,
    },
    INVITE_MS,
    GRACE_MS,
  );
  return {
    relay,
    delivered,
    online: (userId) => {
      online.add(userId);
      return Promise.resolve();
    },
    offline: (userId) => {
      online.delete(userId);
      relay.userGone(userId, 'peer-disconnected');
      return Promise.resolve();
    },
    close: () => {
      relay.stop();
      return Promise.resolve();
    },
  };
}

let redis: RedisProcess | undefined;

async function redisSubject(): Promise<Subject> {
  if (!redis) throw new Error('no redis');
  const node = await ClusterNode.join({ url: redis.url, inviteTimeoutMs: INVITE_MS, graceMs: GRACE_MS, heartbeatTtlMs: 60_000, logger: silentLogger });
  const delivered: [string, ServerMessage][] = [];
  const tokens = new Map<string, string>();
  node.attach({
    deliverLocal: (userId, message) => { if (tokens.has(userId)) delivered.push([userId, message]); },
    deliverLocalText: (userId, text) => { if (tokens.has(userId)) delivered.push([userId, parseServerMessage(JSON.parse(text))]); },
    endReplaced: () => undefined,
    presenceChanged: () => undefined,
    directoryMoved: () => undefined,
    dropAll: () => undefined,
    isKnown: (userId) => KNOWN.includes(userId),
    tokenOf: (userId) => tokens.get(userId),
  });
  return {
    relay: node.relay,
    delivered,
    online: (userId) => {
      const token = node.newToken();
      tokens.set(userId, token);
      return node.sessionStarted(userId, token, false);
    },
    offline: async (userId) => {
      const token = tokens.get(userId);
      tokens.delete(userId);
      if (token !== undefined) await node.sessionEnded(userId, token, 'peer-disconnected');
    },
    close: async () => {
      await node.leave();
      if (redis) await redis.stop().then(async () => { redis = await startRedis(); });
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (;;) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (expect.getState().currentTestName === undefined) throw new Error(`gave up waiting for ${what}`);
  }
}

const callId = 'CCCCCCCCCCCCCCCCCCCCCC';
const other = 'DDDDDDDDDDDDDDDDDDDDDD';
const invite = (to: string, id = callId): OutgoingCallMessage => ({ v, type: 'call.invite', callId: id, to, media: { audio: true, video: false }, ake });
const accept = (to: string, id = callId): OutgoingCallMessage => ({ v, type: 'call.accept', callId: id, to, media: { audio: true, video: true }, ake: reveal });
const signal = (to: string, sdp: string, id = callId): OutgoingCallMessage => ({ v, type: 'call.signal', callId: id, to, data: { type: 'offer', sdp } });
const hangup = (to: string, id = callId): OutgoingCallMessage => ({ v, type: 'call.hangup', callId: id, to, reason: 'hangup' });
const resume = (to: string, role: 'caller' | 'callee', id = callId): OutgoingCallMessage => ({ v, type: 'call.resume', callId: id, to, role });

const missing = redisMissingReason();
const kinds = missing === undefined ? (['memory', 'redis'] as const) : (['memory'] as const);

beforeAll(async () => {
  if (missing === undefined) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.each(kinds)('call relay (%s)', (kind) => {
  let s: Subject;
  const to = (userId: string) => s.delivered.filter(([recipient]) => recipient === userId).map(([, message]) => message);
  const typesTo = (userId: string) => to(userId).map((message) => message.type);
  const handle = async (from: string, message: OutgoingCallMessage) => s.relay.handle(from, message);

  beforeEach(async () => {
    s = kind === 'memory' ? memorySubject() : await redisSubject();
    for (const user of ['alice', 'bob', 'carol']) await s.online(user);
  });
  afterEach(async () => {
    await s.close();
  });

  async function activeCall(): Promise<void> {
    expect(await handle('alice', invite('bob'))).toBeUndefined();
    expect(await handle('bob', accept('alice'))).toBeUndefined();
  }

  it('relays an invite stamped with the sender, and times it out for both when unanswered', async () => {
    expect(await handle('alice', invite('bob'))).toBeUndefined();
    expect(to('bob')[0]).toMatchObject({ type: 'call.invite', callId, from: 'alice' });
    expect(to('bob')[0]).not.toHaveProperty('to');
    await until(() => s.relay.isBusy('alice') && s.relay.isBusy('bob'), 'both busy');
    await until(() => typesTo('alice').includes('call.ended') && typesTo('bob').includes('call.ended'), 'the timeout');
    expect(to('alice').at(-1)).toEqual({ v, type: 'call.ended', callId, reason: 'timeout' });
    expect(to('bob').at(-1)).toEqual({ v, type: 'call.ended', callId, reason: 'timeout' });
    await until(() => !s.relay.isBusy('alice') && !s.relay.isBusy('bob'), 'both free');
    expect(await handle('alice', hangup('bob'))).toMatchObject({ code: 'not-in-call' });
  });

  it('keeps an accepted call past the invite timeout, relays its signals in order, and ends it on hang-up', async () => {
    await activeCall();
    expect(to('alice')[0]).toMatchObject({ type: 'call.accept', from: 'bob', ake: reveal });
    await new Promise((resolve) => setTimeout(resolve, INVITE_MS * 2));
    for (let n = 0; n < 20; n += 1) expect(await handle(n % 2 === 0 ? 'alice' : 'bob', signal(n % 2 === 0 ? 'bob' : 'alice', `v=${n}`))).toBeUndefined();
    const signals = (userId: string) => to(userId).filter((message) => message.type === 'call.signal');
    expect(signals('bob')).toMatchObject(Array.from({ length: 10 }, (_, i) => ({ data: { sdp: `v=${i * 2}` } })));
    expect(signals('alice')).toMatchObject(Array.from({ length: 10 }, (_, i) => ({ data: { sdp: `v=${i * 2 + 1}` } })));
    expect(await handle('bob', hangup('alice'))).toBeUndefined();
    expect(to('alice').at(-1)).toMatchObject({ type: 'call.hangup', from: 'bob' });
    expect(await handle('alice', signal('bob', 'late'))).toMatchObject({ code: 'not-in-call' });
    expect(typesTo('alice')).not.toContain('call.ended');
  });

  it('answers busy for a callee already in a call, without disturbing them', async () => {
    await activeCall();
    const before = to('bob').length;
    expect(await handle('carol', invite('bob', other))).toBeUndefined();
    expect(to('carol')).toEqual([{ v, type: 'call.busy', callId: other, from: 'bob' }]);
    expect(to('bob')).toHaveLength(before);
    // And one call per user: the caller in a call cannot place another.
    expect(await handle('alice', invite('carol', other))).toMatchObject({ code: 'bad-message' });
  });

  it('ends a call on decline and on cancel, freeing both', async () => {
    expect(await handle('alice', invite('bob'))).toBeUndefined();
    expect(await handle('bob', { v, type: 'call.decline', callId, to: 'alice', reason: 'declined' })).toBeUndefined();
    expect(to('alice').at(-1)).toMatchObject({ type: 'call.decline', from: 'bob' });
    expect(await handle('bob', accept('alice'))).toMatchObject({ code: 'not-in-call' });
    expect(await handle('alice', invite('bob', other))).toBeUndefined();
    expect(await handle('alice', { v, type: 'call.cancel', callId: other, to: 'bob' })).toBeUndefined();
    expect(to('bob').at(-1)).toMatchObject({ type: 'call.cancel', callId: other, from: 'alice' });
    await until(() => !s.relay.isBusy('alice') && !s.relay.isBusy('bob'), 'both free');
  });

  it('refuses messages from the wrong side, in the wrong state, to the wrong peer, or from outsiders', async () => {
    expect(await handle('alice', invite('bob'))).toBeUndefined();
    expect(await handle('alice', accept('bob'))).toMatchObject({ code: 'not-in-call' });
    expect(await handle('alice', signal('bob', 'early'))).toMatchObject({ code: 'not-in-call' });
    expect(await handle('bob', { v, type: 'call.cancel', callId, to: 'alice' })).toMatchObject({ code: 'not-in-call' });
    expect(await handle('alice', { v, type: 'call.cancel', callId, to: 'carol' })).toMatchObject({ code: 'not-in-call', message: `call ${callId} is with 'bob', not 'carol'` });
    expect(await handle('carol', hangup('bob'))).toMatchObject({ code: 'not-in-call' });
    expect(await handle('bob', { v, type: 'call.confirm', callId, to: 'alice', ake: reveal })).toMatchObject({ code: 'not-in-call' });
    expect(typesTo('bob')).toEqual(['call.invite']);
  });

  it('refuses calls to oneself, to strangers, to offline users, and with a call id in use', async () => {
    expect(await handle('alice', invite('alice'))).toMatchObject({ code: 'bad-message' });
    expect(await handle('alice', invite('mallory'))).toMatchObject({ code: 'unknown-user' });
    expect(await handle('alice', invite('dave'))).toMatchObject({ code: 'user-offline' });
    expect(await handle('alice', invite('bob'))).toBeUndefined();
    expect(await handle('carol', invite('bob', callId))).toMatchObject({ code: 'bad-message', message: 'that call id is already in use: pick a fresh random one' });
  });

  it('gives a party whose session dropped the grace period, and a resume within it keeps the call', async () => {
    await activeCall();
    await s.offline('alice');
    await s.online('alice');
    expect(await handle('alice', resume('bob', 'caller'))).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2));
    expect(typesTo('bob')).not.toContain('call.ended');
    expect(await handle('alice', signal('bob', 'after'))).toBeUndefined();
    expect(to('bob').at(-1)).toMatchObject({ type: 'call.signal', from: 'alice' });
  });

  it('ends the call for the other party when the grace runs out', async () => {
    await activeCall();
    await s.offline('alice');
    expect(typesTo('bob')).not.toContain('call.ended');
    await until(() => typesTo('bob').includes('call.ended'), 'the end of the grace');
    expect(to('bob').at(-1)).toEqual({ v, type: 'call.ended', callId, reason: 'peer-disconnected' });
    await until(() => !s.relay.isBusy('bob'), 'bob free');
  });

  it('gives each party its own grace when both drop, and the call goes on when both come back', async () => {
    await activeCall();
    // Alice is back (not yet resumed) when Bob drops: his drop must not end the call on her.
    await s.offline('alice');
    await s.online('alice');
    await s.offline('bob');
    await s.online('bob');
    expect(await handle('alice', resume('bob', 'caller'))).toBeUndefined();
    expect(await handle('bob', resume('alice', 'callee'))).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2));
    expect(typesTo('alice')).not.toContain('call.ended');
    expect(typesTo('bob')).not.toContain('call.ended');
    expect(await handle('alice', signal('bob', 'after'))).toBeUndefined();
    expect(to('bob').at(-1)).toMatchObject({ type: 'call.signal', from: 'alice' });
  });

  it('ends the call for the party who came back when the other one\'s grace runs out', async () => {
    await activeCall();
    await s.offline('alice');
    await s.offline('bob');
    await s.online('alice');
    expect(await handle('alice', resume('bob', 'caller'))).toBeUndefined();
    await until(() => typesTo('alice').includes('call.ended'), "the end of bob's grace");
    expect(to('alice').at(-1)).toEqual({ v, type: 'call.ended', callId, reason: 'peer-disconnected' });
    await until(() => !s.relay.isBusy('alice'), 'alice free');
  });

  it('ends a ringing call at once when a party drops, and any call at once on revocation', async () => {
    expect(await handle('alice', invite('bob'))).toBeUndefined();
    await s.offline('bob');
    expect(to('alice').at(-1)).toEqual({ v, type: 'call.ended', callId, reason: 'peer-disconnected' });
    await s.online('bob');
    expect(await handle('alice', invite('bob', other))).toBeUndefined();
    expect(await handle('bob', accept('alice', other))).toBeUndefined();
    await s.relay.userGone('bob', 'peer-revoked');
    expect(to('alice').at(-1)).toEqual({ v, type: 'call.ended', callId: other, reason: 'peer-revoked' });
  });

  it('ends the call a party dropped out of when they place a new one', async () => {
    await activeCall();
    await s.offline('alice');
    await s.online('alice');
    expect(await handle('alice', invite('carol', other))).toBeUndefined();
    expect(to('bob').at(-1)).toEqual({ v, type: 'call.ended', callId, reason: 'peer-disconnected' });
    expect(to('carol').at(-1)).toMatchObject({ type: 'call.invite', callId: other, from: 'alice' });
  });

  it('takes back a call it does not know from both sides\' resume claims, delivering signals held meanwhile', async () => {
    expect(await handle('alice', resume('bob', 'caller', other))).toBeUndefined();
    expect(await handle('alice', signal('bob', 'held-1', other))).toBeUndefined();
    expect(await handle('alice', signal('bob', 'held-2', other))).toBeUndefined();
    expect(typesTo('bob')).toEqual([]);
    // A third party, or the same role twice, cannot complete the claim.
    expect(await handle('carol', resume('alice', 'callee', other))).toMatchObject({ code: 'not-in-call' });
    expect(await handle('bob', resume('alice', 'caller', other))).toMatchObject({ code: 'not-in-call' });
    expect(await handle('bob', resume('alice', 'callee', other))).toBeUndefined();
    expect(to('bob')).toMatchObject([{ type: 'call.signal', from: 'alice', data: { sdp: 'held-1' } }, { type: 'call.signal', from: 'alice', data: { sdp: 'held-2' } }]);
    await until(() => s.relay.isBusy('alice') && s.relay.isBusy('bob'), 'both busy');
    expect(await handle('bob', signal('alice', 'live', other))).toBeUndefined();
    expect(to('alice').at(-1)).toMatchObject({ type: 'call.signal', from: 'bob' });
    expect(await handle('carol', invite('alice'))).toBeUndefined();
    expect(to('carol').at(-1)).toMatchObject({ type: 'call.busy', from: 'alice' });
    // A resume for a call both already hold is a no-op; claiming someone else's is refused.
    expect(await handle('alice', resume('bob', 'caller', other))).toBeUndefined();
    expect(await handle('alice', resume('bob', 'callee', other))).toMatchObject({ code: 'not-in-call' });
  });

  it('drops a resume claim when its claimant goes away', async () => {
    expect(await handle('alice', resume('bob', 'caller', other))).toBeUndefined();
    await s.offline('alice');
    await s.online('alice');
    expect(await handle('bob', resume('alice', 'callee', other))).toBeUndefined();
    // Bob's claim is now the only one; the call is not active until Alice claims again.
    expect(await handle('bob', signal('alice', 'x', other))).toBeUndefined();
    expect(typesTo('alice')).toEqual([]);
    expect(await handle('alice', resume('bob', 'caller', other))).toBeUndefined();
    expect(to('alice').map((message) => message.type)).toEqual(['call.signal']);
  });
});
