import { beforeAll, describe, expect, it } from 'vitest';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import type { CallEvent, CallKeys, CallView } from '../../../shared/ipc';
import { IpcError } from '../../../shared/ipc';
import { newCallId, relayedFrom, type ClientMessage, type IncomingCallMessage, type OutgoingCallMessage } from '../../../shared/protocol';
import { CallManager, type CallManagerDeps, type CallPeer } from './call-manager';

const FP = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
const sdpWith = (fingerprint: string, session = '-') => `v=0\r\ns=${session}\r\na=fingerprint:${fingerprint}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n`;

interface Side {
  id: string;
  manager: CallManager;
  views: CallView[];
  ended: CallView[];
  keys: CallKeys[];
  signals: unknown[];
  events: CallEvent[];
  sent: ClientMessage[];
  peers: Map<string, CallPeer>;
  acknowledged: string[];
  online: boolean;
}

type Identity = Awaited<ReturnType<typeof generateIdentityKeyPair>>;
let ids: Record<string, Identity>;

beforeAll(async () => {
  ids = { alice: await generateIdentityKeyPair(), bob: await generateIdentityKeyPair(), carol: await generateIdentityKeyPair() };
});

/** Users wired through an in-process relay that stamps `from` as the server does, in order. */
function network(timeouts: Pick<CallManagerDeps, 'ringTimeoutMs' | 'connectTimeoutMs' | 'inHistory'> = {}) {
  const sides = new Map<string, Side>();
  let queue = Promise.resolve();
  const deliver = (from: string, message: ClientMessage) => {
    if (!message.type.startsWith('call.') || message.type === 'call.resume') return;
    const target = sides.get((message as OutgoingCallMessage).to);
    if (!target) return;
    const relayed: IncomingCallMessage = relayedFrom(message as Exclude<OutgoingCallMessage, { type: 'call.resume' }>, from);
    queue = queue.then(() => target.manager.receive(relayed));
  };
  const add = (id: string, online = true): Side => {
    const side: Side = { id, views: [], ended: [], keys: [], signals: [], events: [], sent: [], peers: new Map(), acknowledged: [], online, manager: undefined as unknown as CallManager };
    side.manager = new CallManager({
      self: { id, identity: ids[id] as Identity },
      peer: (userId) => side.peers.get(userId),
      acknowledgeKeyChange: (userId, identityKey) => {
        side.acknowledged.push(userId);
        // As the contact book does: only the key the user was shown, and only while still pinned.
        const pinned = side.peers.get(userId);
        if (pinned !== undefined && pinned.identityKey === identityKey) side.peers.set(userId, { ...pinned, keyChanged: false });
      },
      send: (message) => {
        side.sent.push(message);
        if (side.online) deliver(id, message);
        return side.online;
      },
      emit: (event) => {
        side.events.push(event);
        if (event.kind === 'view') side.views.push(event.view);
        else if (event.kind === 'keys') side.keys.push(event.keys);
        else side.signals.push(event.data);
      },
      onEnded: (view) => side.ended.push(view),
      ...timeouts,
    });
    sides.set(id, side);
    return side;
  };
  const know = (side: Side, other: string, extra: Partial<CallPeer> = {}) => {
    side.peers.set(other, { id: other, displayName: other.toUpperCase(), identityKey: (ids[other] as Identity).publicKey, verified: false, keyChanged: false, ...extra });
  };
  return { add, know, settle: () => queue.then(() => queue) };
}

function pair(timeouts?: { ringTimeoutMs?: number; connectTimeoutMs?: number }) {
  const net = network(timeouts);
  const alice = net.add('alice');
  const bob = net.add('bob');
  net.know(alice, 'bob');
  net.know(bob, 'alice');
  return { net, alice, bob };
}

const media = { audio: true, video: true };
const state = (side: Side) => side.manager.current()?.state ?? 'idle';

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
    return 'no error';
  } catch (error) {
    return error instanceof IpcError ? error.code : String(error);
  }
}

describe('call manager', () => {
  it('places the call under the id the page chose, and refuses that id ever again', async () => {
    const { net, alice, bob } = pair();
    const callId = newCallId();
    const call = await alice.manager.start({ callId, userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    expect(call.callId).toBe(callId);
    expect(alice.sent[0]).toMatchObject({ type: 'call.invite', callId });
    await net.settle();
    expect(bob.manager.current()?.callId).toBe(callId);
    alice.manager.hangup(callId);
    await net.settle();
    const again = await codeOf(alice.manager.start({ callId, userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false }));
    expect(again).toBe('bad-request');
    // Nothing went out for the refused one.
    expect(alice.sent.filter((message) => message.type === 'call.invite')).toHaveLength(1);
    // Nor may the callee reuse the id of the call it was rung with.
    expect(await codeOf(bob.manager.start({ callId, userId: 'alice', media, fingerprint: FP('BB'), confirmKeyChange: false }))).toBe('bad-request');
  });

  it('refuses a call id the call history already holds', async () => {
    const net = network({ inHistory: (callId) => callId === 'historic-call-id-000000' });
    const alice = net.add('alice');
    net.add('bob');
    net.know(alice, 'bob');
    const refused = await codeOf(alice.manager.start({ callId: 'historic-call-id-000000', userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false }));
    expect(refused).toBe('bad-request');
    expect(alice.sent).toEqual([]);
  });

  it('numbers each call\'s events 1, 2, 3… in the order they are emitted: views, then keys before the keyed view, then signals', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
    await net.settle();
    alice.manager.signal(call.callId, { type: 'offer', sdp: sdpWith(FP('AA')) });
    await net.settle();
    bob.manager.hangup(call.callId);
    await net.settle();
    for (const side of [alice, bob]) {
      expect(side.events.map((event) => event.seq)).toEqual(side.events.map((_, index) => index + 1));
      expect(new Set(side.events.map((event) => event.callId))).toEqual(new Set([call.callId]));
    }
    const kinds = (side: Side) => side.events.map((event) => (event.kind === 'view' ? `view:${event.view.state}` : event.kind));
    expect(kinds(alice)).toEqual(['view:outgoing', 'view:ringing', 'keys', 'view:connecting', 'view:ended']);
    expect(kinds(bob)).toEqual(['view:incoming', 'view:connecting', 'keys', 'view:connecting', 'signal', 'view:ended']);
    // A second call starts its own count.
    const next = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    expect(alice.events.at(-1)).toMatchObject({ callId: next.callId, seq: 1, kind: 'view' });
  });

  it('invite, ring, accept, confirm: both sides get matching keys and short code, then connect', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    expect(state(alice)).toBe('ringing');
    expect(state(bob)).toBe('incoming');
    expect(bob.manager.current()?.remoteMedia).toEqual(media);

    await bob.manager.accept({ callId: call.callId, media: { audio: true, video: false }, fingerprint: FP('BB') });
    await net.settle();
    expect(state(alice)).toBe('connecting');
    expect(state(bob)).toBe('connecting');
    const [aliceKeys] = alice.keys;
    const [bobKeys] = bob.keys;
    expect(aliceKeys?.sendKey).toBe(bobKeys?.receiveKey);
    expect(aliceKeys?.receiveKey).toBe(bobKeys?.sendKey);
    expect(Object.keys(aliceKeys ?? {}).sort()).toEqual(['initiator', 'receiveKey', 'sendKey']);
    expect(aliceKeys?.initiator).toBe(true);
    expect(bobKeys?.initiator).toBe(false);
    expect(alice.manager.current()?.shortCode).toMatch(/^\d{12}$/);
    expect(alice.manager.current()?.shortCode).toBe(bob.manager.current()?.shortCode);

    const offer = { type: 'offer', sdp: sdpWith(FP('AA')) } as const;
    alice.manager.signal(call.callId, offer);
    await net.settle();
    expect(bob.signals).toEqual([offer]);

    expect(alice.manager.connected(call.callId, sdpWith(FP('BB'))).fingerprintOk).toBe(true);
    expect(bob.manager.connected(call.callId, sdpWith(FP('AA'))).fingerprintOk).toBe(true);
    expect(state(alice)).toBe('connected');

    alice.manager.hangup(call.callId);
    await net.settle();
    expect(alice.ended.map((view) => view.endReason)).toEqual(['hangup']);
    expect(bob.ended.map((view) => view.endReason)).toEqual(['remote-hangup']);
    expect(state(alice)).toBe('idle');
    expect(state(bob)).toBe('idle');
  });

  it('ends with a man-in-the-middle warning when the remote SDP carries another certificate', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
    await net.settle();
    const outcome = alice.manager.connected(call.callId, sdpWith(FP('CC')));
    await net.settle();
    expect(outcome.fingerprintOk).toBe(false);
    expect(alice.ended[0]?.endReason).toBe('mitm-detected');
    expect(bob.ended[0]?.endReason).toBe('mitm-detected');
  });

  describe('every SDP is held to the certificate its side signed', () => {
    /** Alice calls Bob (Alice offers with FP AA, Bob answers with FP BB); both have keys. */
    async function keyed() {
      const { net, alice, bob } = pair();
      const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
      await net.settle();
      await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
      await net.settle();
      return { net, alice, bob, callId: call.callId };
    }

    /** And the first offer and answer went through, and WebRTC connected on both sides. */
    async function connected() {
      const setup = await keyed();
      const { net, alice, bob, callId } = setup;
      alice.manager.signal(callId, { type: 'offer', sdp: sdpWith(FP('AA')) });
      await net.settle();
      bob.manager.signal(callId, { type: 'answer', sdp: sdpWith(FP('BB')) });
      await net.settle();
      expect(alice.manager.connected(callId, sdpWith(FP('BB'))).fingerprintOk).toBe(true);
      expect(bob.manager.connected(callId, sdpWith(FP('AA'))).fingerprintOk).toBe(true);
      expect(bob.signals).toHaveLength(1);
      expect(alice.signals).toHaveLength(1);
      return setup;
    }

    const endReasons = (side: Side) => side.ended.map((view) => view.endReason);

    it('incoming, first SDP: an offer with another certificate never reaches the page, and both ends learn why', async () => {
      const { net, alice, bob, callId } = await keyed();
      await bob.manager.receive({ v: 2, type: 'call.signal', callId, from: 'alice', data: { type: 'offer', sdp: sdpWith(FP('CC')) } });
      await net.settle();
      expect(bob.signals).toEqual([]);
      expect(endReasons(bob)).toEqual(['mitm-detected']);
      expect(bob.sent.at(-1)).toMatchObject({ type: 'call.hangup', callId, to: 'alice', reason: 'mitm-detected' });
      expect(endReasons(alice)).toEqual(['mitm-detected']);
    });

    it('incoming, later SDP: a re-offer with another certificate after connect ends the call as mitm-detected', async () => {
      const { net, alice, bob, callId } = await connected();
      // What a lying server sends: Alice's name on it, another certificate in it.
      await bob.manager.receive({ v: 2, type: 'call.signal', callId, from: 'alice', data: { type: 'offer', sdp: sdpWith(FP('CC'), 'ice restart') } });
      await net.settle();
      expect(bob.signals, 'only the first, honest offer reached the page').toHaveLength(1);
      expect(endReasons(bob)).toEqual(['mitm-detected']);
      expect(endReasons(alice)).toEqual(['mitm-detected']);
      expect(state(bob)).toBe('idle');
    });

    it('incoming, later SDP: an answer to the caller is held to the callee’s certificate, not the caller’s own', async () => {
      const { net, alice, callId } = await connected();
      await alice.manager.receive({ v: 2, type: 'call.signal', callId, from: 'bob', data: { type: 'answer', sdp: sdpWith(FP('AA')) } });
      await net.settle();
      expect(alice.signals).toHaveLength(1);
      expect(endReasons(alice)).toEqual(['mitm-detected']);
    });

    it('incoming: later honest SDPs, candidates and renegotiation requests pass', async () => {
      const { net, alice, bob, callId } = await connected();
      const later = [
        { type: 'offer', sdp: sdpWith(FP('AA'), 'ice restart') },
        { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
        { renegotiate: true },
      ] as const;
      for (const data of later) await bob.manager.receive({ v: 2, type: 'call.signal', callId, from: 'alice', data });
      await net.settle();
      expect(bob.signals.slice(1)).toEqual(later);
      expect(state(bob)).toBe('connected');
      expect(state(alice)).toBe('connected');
    });

    it('incoming, before the keys: a signal is dropped, not kept to be passed on later', async () => {
      const { net, alice, bob } = pair();
      const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
      await net.settle();
      await bob.manager.receive({ v: 2, type: 'call.signal', callId: call.callId, from: 'alice', data: { type: 'offer', sdp: sdpWith(FP('CC')) } });
      await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
      await net.settle();
      expect(bob.keys).toHaveLength(1);
      expect(bob.signals).toEqual([]);
      expect(state(bob)).toBe('connecting');
    });

    it('outgoing, first SDP: our page offering another certificate is not relayed, and the call ends as mitm-detected', async () => {
      const { net, alice, bob, callId } = await keyed();
      expect(await codeOf(() => { alice.manager.signal(callId, { type: 'offer', sdp: sdpWith(FP('CC')) }); })).toBe('bad-request');
      await net.settle();
      expect(alice.sent.filter((message) => message.type === 'call.signal')).toEqual([]);
      expect(bob.signals).toEqual([]);
      expect(endReasons(alice)).toEqual(['mitm-detected']);
      expect(endReasons(bob)).toEqual(['mitm-detected']);
    });

    it('outgoing, first SDP: the callee’s answer must carry the callee’s certificate, not the caller’s', async () => {
      const { net, alice, bob, callId } = await keyed();
      alice.manager.signal(callId, { type: 'offer', sdp: sdpWith(FP('AA')) });
      await net.settle();
      expect(await codeOf(() => { bob.manager.signal(callId, { type: 'answer', sdp: sdpWith(FP('AA')) }); })).toBe('bad-request');
      await net.settle();
      expect(alice.signals).toEqual([]);
      expect(endReasons(bob)).toEqual(['mitm-detected']);
      expect(endReasons(alice)).toEqual(['mitm-detected']);
    });

    it('outgoing, later SDP: an ICE restart offer with another certificate ends the call, also while the server link is down', async () => {
      const { net, alice, bob, callId } = await connected();
      alice.online = false;
      expect(await codeOf(() => { alice.manager.signal(callId, { type: 'offer', sdp: sdpWith(FP('CC'), 'restart') }); })).toBe('bad-request');
      expect(endReasons(alice)).toEqual(['mitm-detected']);
      alice.online = true;
      alice.manager.resumeAfterReconnect();
      await net.settle();
      // Nothing was held to be sent once the link came back.
      expect(bob.signals).toHaveLength(1);
      expect(alice.sent.filter((message) => message.type === 'call.signal')).toHaveLength(1);
    });

    it('outgoing: an SDP with no fingerprint, two, or a malformed one is refused like a wrong one', async () => {
      const two = `v=0\r\na=fingerprint:${FP('AA')}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:${FP('CC')}\r\n`;
      for (const sdp of ['v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n', two, 'v=0\r\na=fingerprint:sha-256 AA:AA\r\n']) {
        const { alice, callId } = await keyed();
        expect(await codeOf(() => { alice.manager.signal(callId, { type: 'offer', sdp }); }), sdp).toBe('bad-request');
        expect(endReasons(alice), sdp).toEqual(['mitm-detected']);
      }
    });
  });

  it('decline ends both sides as declined', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    bob.manager.decline(call.callId);
    await net.settle();
    expect(alice.ended[0]?.endReason).toBe('declined');
    expect(bob.ended[0]?.endReason).toBe('declined');
  });

  it('a second caller gets busy while a call is ringing', async () => {
    const net = network();
    const alice = net.add('alice');
    const bob = net.add('bob');
    const carol = net.add('carol');
    net.know(alice, 'bob');
    net.know(bob, 'alice');
    net.know(bob, 'carol');
    net.know(carol, 'bob');
    await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await carol.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('CC'), confirmKeyChange: false });
    await net.settle();
    expect(carol.ended[0]?.endReason).toBe('busy');
    expect(state(bob)).toBe('incoming');
    expect(bob.manager.current()?.peerId).toBe('alice');
  });

  it('cancelling before the answer ends the callee’s ringing as cancelled', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    alice.manager.hangup(call.callId);
    await net.settle();
    expect(alice.ended[0]?.endReason).toBe('cancelled');
    expect(bob.ended[0]?.endReason).toBe('cancelled');
  });

  it('an unanswered call times out on both sides', async () => {
    const { net, alice, bob } = pair({ ringTimeoutMs: 150 });
    await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await net.settle();
    expect(alice.ended[0]?.endReason).toBe('timeout');
    expect(bob.ended[0]?.endReason).toMatch(/timeout|cancelled/);
  });

  it('gates a call to a key-changed contact until the user confirms', async () => {
    const { net, alice } = pair();
    net.know(alice, 'bob', { keyChanged: true });
    expect(await codeOf(alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false }))).toBe('key-changed');
    expect(alice.sent).toEqual([]);
    await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: true });
    expect(alice.acknowledged).toEqual(['bob']);
  });

  it('rings for a key-changed caller, but answering needs the confirm, and a decline says key-changed', async () => {
    const { net, alice, bob } = pair();
    net.know(bob, 'alice', { keyChanged: true });
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    expect(bob.manager.current()).toMatchObject({ state: 'incoming', peerKeyChanged: true });
    expect(await codeOf(bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') }))).toBe('key-changed');
    expect(await codeOf(bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB'), confirmKeyChange: false }))).toBe('key-changed');
    expect(bob.sent.filter((m) => m.type === 'call.accept')).toEqual([]);
    expect(bob.acknowledged).toEqual([]);
    expect(state(bob)).toBe('incoming');
    bob.manager.decline(call.callId);
    expect(bob.sent.at(-1)).toMatchObject({ type: 'call.decline', reason: 'key-changed' });
    await net.settle();
    expect(alice.ended[0]?.endReason).toBe('declined');
  });

  it('answers a key-changed caller once confirmed, settling the change for that key only', async () => {
    const { net, alice, bob } = pair();
    net.know(bob, 'alice', { keyChanged: true });
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB'), confirmKeyChange: true });
    await net.settle();
    expect(bob.acknowledged).toEqual(['alice']);
    expect(bob.peers.get('alice')?.keyChanged).toBe(false);
    expect(bob.keys).toHaveLength(1);
    expect(alice.keys[0]?.sendKey).toBe(bob.keys[0]?.receiveKey);
  });

  it('refuses to answer when another key was pinned while the call rang, and declines it', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    expect(state(bob)).toBe('incoming');
    net.know(bob, 'alice', { identityKey: (ids.carol as Identity).publicKey, keyChanged: true });
    expect(await codeOf(bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB'), confirmKeyChange: true }))).toBe('key-changed');
    expect(bob.acknowledged).toEqual([]);
    expect(bob.sent.at(-1)).toMatchObject({ type: 'call.decline', reason: 'key-changed' });
    expect(state(bob)).toBe('idle');
  });

  it('a key change settled while the call rings (verified elsewhere) opens the gate', async () => {
    const { net, alice, bob } = pair();
    net.know(bob, 'alice', { keyChanged: true });
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    net.know(bob, 'alice', { verified: true });
    await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
    expect(state(bob)).toBe('connecting');
  });

  it('never rings for an invite whose media flags the server changed', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    bob.manager.hangup(call.callId);
    await net.settle();
    const invite = alice.sent.find((m) => m.type === 'call.invite');
    if (invite?.type !== 'call.invite') throw new Error('no invite sent');
    // The same invite to a Bob who has not seen it (this one remembers the call, so it would ignore
    // any replay): once with its flags rewritten (refused), once as signed (rings).
    const fresh = network();
    const freshBob = fresh.add('bob');
    fresh.know(freshBob, 'alice');
    await freshBob.manager.receive(relayedFrom({ ...invite, media: { audio: true, video: false } }, 'alice'));
    expect(state(freshBob)).toBe('idle');
    expect(freshBob.sent.at(-1)).toMatchObject({ type: 'call.hangup', reason: 'handshake-failed' });
    await freshBob.manager.receive(relayedFrom(invite, 'alice'));
    expect(state(freshBob)).toBe('incoming');
  });

  it('never rings for an invite signed by a key other than the pinned one', async () => {
    const { net, alice, bob } = pair();
    net.know(bob, 'alice', { identityKey: (ids.carol as Identity).publicKey });
    await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    expect(state(bob)).toBe('idle');
    expect(bob.views).toEqual([]);
    expect(alice.ended[0]?.endReason).toBe('handshake-failed');
  });

  it('never rings again for a replayed invite of a finished call, in this run or one in the history', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    bob.manager.decline(call.callId);
    await net.settle();
    const invite = alice.sent.find((message) => message.type === 'call.invite');
    if (invite?.type !== 'call.invite') throw new Error('alice sent no invite');
    const replayed = relayedFrom(invite, 'alice');
    const viewsBefore = bob.views.length;
    await bob.manager.receive(replayed);
    expect(state(bob)).toBe('idle');
    expect(bob.views.length).toBe(viewsBefore);

    // After a restart only the history remembers the call: the twin without it rings.
    const restarted = network({ inHistory: (callId) => callId === call.callId });
    const bobAgain = restarted.add('bob');
    restarted.know(bobAgain, 'alice');
    await bobAgain.manager.receive(replayed);
    expect(state(bobAgain)).toBe('idle');
    const forgetful = network();
    const bobForgetful = forgetful.add('bob');
    forgetful.know(bobForgetful, 'alice');
    await bobForgetful.manager.receive(replayed);
    expect(state(bobForgetful)).toBe('incoming');
  });

  it('ignores call messages from anyone but the call’s peer', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await alice.manager.receive({ v: 2, type: 'call.decline', callId: call.callId, from: 'carol', reason: 'declined' });
    expect(state(alice)).toBe('ringing');
    expect(state(bob)).toBe('incoming');
  });

  it('refuses to call while offline, while in a call, or a stranger, with clear codes', async () => {
    const net = network();
    const offline = net.add('alice', false);
    net.know(offline, 'bob');
    expect(await codeOf(offline.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false }))).toBe('not-connected');
    expect(await codeOf(offline.manager.start({ callId: newCallId(), userId: 'zed', media, fingerprint: FP('AA'), confirmKeyChange: false }))).toBe('no-such-contact');
    const { alice } = pair();
    await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    expect(await codeOf(alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false }))).toBe('in-call');
    expect(await codeOf(() => alice.manager.hangup('AAAAAAAAAAAAAAAAAAAAAA'))).toBe('no-such-call');
  });

  it('the server ending the call (peer vanished) ends it here', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await alice.manager.receive({ v: 2, type: 'call.ended', callId: call.callId, reason: 'peer-disconnected' });
    expect(alice.ended[0]?.endReason).toBe('peer-disconnected');
    expect(state(bob)).toBe('incoming');
  });

  it('a connected call outlives the server link: signals wait for it, and the call is claimed again when it is back', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
    await net.settle();
    alice.manager.connected(call.callId, sdpWith(FP('BB')));
    bob.manager.connected(call.callId, sdpWith(FP('AA')));

    alice.online = false;
    alice.manager.serverLost();
    expect(state(alice)).toBe('connected');
    const restart = { type: 'offer', sdp: sdpWith(FP('AA'), 'restart') } as const;
    alice.manager.signal(call.callId, restart);
    await net.settle();
    expect(bob.signals).toEqual([]);

    alice.online = true;
    alice.sent.length = 0;
    alice.manager.resumeAfterReconnect();
    await net.settle();
    expect(alice.sent.map((message) => message.type)).toEqual(['call.resume', 'call.signal']);
    expect(alice.sent[0]).toMatchObject({ callId: call.callId, to: 'bob', role: 'caller' });
    expect(bob.signals).toEqual([restart]);
    bob.manager.resumeAfterReconnect();
    expect(bob.sent.at(-1)).toMatchObject({ type: 'call.resume', callId: call.callId, to: 'alice', role: 'callee' });
  });

  it('a call still being set up cannot wait for the server: it ends, and its signals are refused', async () => {
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
    await net.settle();
    alice.online = false;
    expect(await codeOf(() => { alice.manager.signal(call.callId, { type: 'offer', sdp: sdpWith(FP('AA')) }); })).toBe('not-connected');
    alice.manager.serverLost();
    expect(alice.ended[0]?.endReason).toBe('server-lost');
    alice.sent.length = 0;
    alice.online = true;
    alice.manager.resumeAfterReconnect();
    expect(alice.sent).toEqual([]);
  });

  it("takes the server's messages in order: an offer right behind the confirm reaches the callee", async () => {
    // What the server does: relay each message as it comes, without waiting for the last one to
    // be handled. The callee's key derivation on the confirm is async; the offer must wait for it.
    const { net, alice, bob } = pair();
    const call = await alice.manager.start({ callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await net.settle();
    alice.online = false;
    await bob.manager.accept({ callId: call.callId, media, fingerprint: FP('BB') });
    await net.settle();
    const confirmToBob = alice.sent.find((message) => message.type === 'call.confirm');
    if (confirmToBob?.type !== 'call.confirm') throw new Error('Alice sent no confirm');
    const { to: _to, id: _id, ...confirmBody } = confirmToBob;
    const offer = { type: 'offer', sdp: sdpWith(FP('AA'), 'first offer') } as const;
    const delivered = [
      bob.manager.receive({ ...confirmBody, from: 'alice' }),
      bob.manager.receive({ v: 2, type: 'call.signal', callId: call.callId, from: 'alice', data: offer }),
    ];
    await Promise.all(delivered);
    expect(bob.keys).toHaveLength(1);
    expect(bob.signals).toEqual([offer]);
  });
});
