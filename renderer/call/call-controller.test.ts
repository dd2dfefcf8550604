import { describe, expect, it } from 'vitest';
import {
  callViewSchema,
  createBridge,
  createEventFanout,
  IpcError,
  parseEvent,
  type CallEventBody,
  type CallKeys,
  type CallView,
  type IpcResult,
} from '../../shared/ipc';
import { encodeCallKeys } from '../../shared/protocol/call-codec';
import { callIdSchema } from '../../shared/protocol/fields';
import type { SignalData } from '../../shared/protocol/call';
import { CallController, MITM_WARNING, type CallControllerState, type CallMediaSession, type MediaSessionEvents } from './call-controller';

/*
 * The controller runs against the real IPC contract: its requests go through createBridge (which
 * checks them against shared/ipc.ts) to a scripted core, and the core's events come back through
 * the same bridge. The media session is the part the controller is given: here one that records
 * what it is asked to do.
 */

const KEYS: CallKeys = encodeCallKeys({ sendKey: new Uint8Array(32).fill(1), receiveKey: new Uint8Array(32).fill(2), initiator: true });
const OFFER: SignalData = { type: 'offer', sdp: 'v=0\r\n' };
const CANDIDATE: SignalData = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: 0, sdpMid: '0' } };
const FINGERPRINT = 'sha-256 AA';

class RecordedSession implements CallMediaSession {
  readonly log: string[] = [];
  readonly signals: SignalData[] = [];
  keys: CallKeys | undefined;
  refuseKeys = false;
  #closed = false;
  #prepared: () => void = () => undefined;
  readonly prepared: Promise<void>;

  constructor(
    readonly callId: string,
    readonly direction: 'outgoing' | 'incoming',
    readonly peerId: string,
    readonly events: MediaSessionEvents,
    holdPrepare: boolean,
  ) {
    this.prepared = holdPrepare
      ? new Promise((resolve) => {
          this.#prepared = resolve;
        })
      : Promise.resolve();
  }

  get fingerprint(): string {
    return FINGERPRINT;
  }

  finishPrepare(): void {
    this.#prepared();
  }

  async prepare(): Promise<void> {
    this.log.push('prepare');
    await this.prepared;
  }

  openPeer(): void {
    this.log.push('openPeer');
  }

  start(keys: CallKeys): void {
    if (this.refuseKeys) throw new Error('the call keys name the wrong side as the one that offers');
    this.log.push('keys');
    this.keys = keys;
  }

  receiveSignal(data: SignalData): void {
    this.log.push('signal');
    this.signals.push(data);
  }

  isClosed(): boolean {
    return this.#closed;
  }

  close(): Promise<unknown> {
    if (!this.#closed) this.log.push('close');
    this.#closed = true;
    return Promise.resolve();
  }
}

type Handler = (payload: unknown) => unknown;

/** A scripted core behind the real bridge: answers per channel, records every request, pushes events. */
function world(options: { holdPrepare?: boolean; current?: CallView | null } = {}) {
  const requests: { channel: string; payload: unknown }[] = [];
  const handlers = new Map<string, Handler>();
  const fanout = createEventFanout();
  const bridge = createBridge({
    invoke: async (channel, payload) => {
      requests.push({ channel, payload });
      const handler = handlers.get(channel);
      try {
        const value = handler === undefined ? defaultAnswer(channel, payload) : await handler(payload);
        return { ok: true, value } satisfies IpcResult;
      } catch (error) {
        if (error instanceof IpcError) return { ok: false, error: { code: error.code, message: error.message } } satisfies IpcResult;
        throw error;
      }
    },
    subscribe: fanout.subscribe,
  });
  const seqs = new Map<string, number>();
  const sessions: RecordedSession[] = [];
  const states: CallControllerState[] = [];
  const hooks = { ringing: 0, connected: 0, closed: 0 };
  const controller = new CallController<RecordedSession>({
    bridge,
    openSession: (init, events) => {
      const session = new RecordedSession(init.callId, init.direction, init.peerId, events, options.holdPrepare ?? false);
      sessions.push(session);
      return session;
    },
    changed: (state) => states.push(state),
    ringing: () => (hooks.ringing += 1),
    connected: () => (hooks.connected += 1),
    closed: () => (hooks.closed += 1),
    lostGraceMs: 0,
  });

  function defaultAnswer(channel: string, payload: unknown): unknown {
    const { callId } = (payload ?? { callId: '' }) as { callId: string };
    switch (channel) {
      case 'call.current':
        return options.current ?? null;
      case 'call.start':
        return view(callId, { state: 'outgoing' });
      case 'call.accept':
        return view(callId, { direction: 'incoming', state: 'connecting' });
      case 'call.decline':
        return view(callId, { direction: 'incoming', state: 'ended', endReason: 'declined' });
      case 'call.hangup':
        return view(callId, { state: 'ended', endReason: 'hangup' });
      case 'call.signal':
        return null;
      case 'call.connected':
        return { fingerprintOk: true, call: view(callId, { state: 'connected' }) };
      default:
        throw new IpcError('unknown-channel', channel);
    }
  }

  /** What the core pushes: numbered per call, checked against the contract as the host's hub does. */
  const push = (callId: string, body: CallEventBody, seq?: number): void => {
    const next = seq ?? (seqs.get(callId) ?? 0) + 1;
    seqs.set(callId, Math.max(next, seqs.get(callId) ?? 0));
    fanout.dispatch('call.event', parseEvent('call.event', { ...body, callId, seq: next }));
  };
  const settle = async () => {
    for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const sent = (channel: string) => requests.filter((request) => request.channel === channel).map((request) => request.payload as Record<string, unknown>);
  return { controller, requests, handlers, push, settle, sent, sessions, states, hooks };
}

function view(callId: string, patch: Partial<CallView> = {}): CallView {
  return callViewSchema.parse({
    callId,
    peerId: 'bob',
    peerName: 'Bob Baker',
    direction: 'outgoing',
    state: 'outgoing',
    media: { audio: true, video: false },
    remoteMedia: null,
    startedAt: 1,
    connectedAt: null,
    endedAt: null,
    endReason: null,
    shortCode: null,
    peerVerified: false,
    peerKeyChanged: false,
    ...patch,
  });
}

const audio = { audio: true, video: false };
const RINGING_ID = 'ringing-call-id-0000000';

async function placed() {
  const w = world();
  await w.controller.call('bob', audio);
  const [start] = w.sent('call.start');
  const callId = String(start?.['callId']);
  return { ...w, callId, session: w.sessions[0] as RecordedSession };
}

async function ringing(patch: Partial<CallView> = {}) {
  const w = world();
  await w.settle();
  w.push(RINGING_ID, { kind: 'view', view: view(RINGING_ID, { direction: 'incoming', state: 'incoming', peerId: 'carol', ...patch }) });
  return w;
}

describe('call controller', () => {
  it('places a call under an id it chose, in the contract format, and shows it as placing until the core shows it', async () => {
    const w = world({ holdPrepare: true });
    const placing = w.controller.call('bob', audio);
    const { callId } = w.controller.state.placing ?? { callId: '' };
    expect(callIdSchema.safeParse(callId).success).toBe(true);
    expect(w.controller.state).toMatchObject({ call: null, placing: { callId, peerId: 'bob', media: audio } });
    w.sessions[0]?.finishPrepare();
    await placing;
    expect(w.sent('call.start')).toEqual([{ callId, userId: 'bob', media: audio, fingerprint: FINGERPRINT, confirmKeyChange: false }]);
    expect(w.sessions[0]?.log).toEqual(['prepare', 'openPeer']);
    // The answer to call.start is the core's first view of it: "Calling…" is over.
    expect(w.controller.state.placing).toBeNull();
    expect(w.controller.state.call).toMatchObject({ callId, state: 'outgoing' });
    w.push(callId, { kind: 'view', view: view(callId, { state: 'ringing' }) });
    expect(w.controller.state.call?.state).toBe('ringing');
    // Every call gets an id of its own.
    const other = world();
    await other.controller.call('bob', audio);
    expect(other.sent('call.start')[0]?.['callId']).not.toBe(callId);
  });

  it('answers the ringing call under its id, and is "answering" until the core says connecting', async () => {
    const w = await ringing();
    expect(w.controller.state.call).toMatchObject({ callId: RINGING_ID, state: 'incoming' });
    expect(w.hooks.ringing).toBe(1);
    w.handlers.set('call.accept', () => new Promise(() => undefined));
    void w.controller.accept(audio);
    expect(w.controller.state.answering).toBe(true);
    await w.settle();
    expect(w.sent('call.accept')).toEqual([{ callId: RINGING_ID, media: audio, fingerprint: FINGERPRINT, confirmKeyChange: false }]);
    expect(w.sessions[0]).toMatchObject({ callId: RINGING_ID, direction: 'incoming', peerId: 'carol' });
    w.push(RINGING_ID, { kind: 'view', view: view(RINGING_ID, { direction: 'incoming', state: 'connecting', peerId: 'carol' }) });
    expect(w.controller.state).toMatchObject({ answering: false, call: { state: 'connecting' } });
  });

  it('takes the keys, then the signals, in the order the core sent them', async () => {
    const { push, callId, session, sent, controller } = await placed();
    push(callId, { kind: 'view', view: view(callId, { state: 'connecting' }) });
    push(callId, { kind: 'keys', keys: KEYS });
    push(callId, { kind: 'view', view: view(callId, { state: 'connecting', shortCode: '123456789012' }) });
    push(callId, { kind: 'signal', data: OFFER });
    push(callId, { kind: 'signal', data: CANDIDATE });
    expect(session.log).toEqual(['prepare', 'openPeer', 'keys', 'signal', 'signal']);
    expect(session.keys).toEqual(KEYS);
    expect(session.signals).toEqual([OFFER, CANDIDATE]);
    expect(controller.state.call?.shortCode).toBe('123456789012');
    // This side's signals go to the core under the call's id.
    session.events.signal(OFFER);
    await Promise.resolve();
    expect(sent('call.signal')).toEqual([{ callId, data: OFFER }]);
  });

  it('hands the peer signals before its peer exists (the session holds them), and drops a replayed or out-of-order one', async () => {
    const w = world({ holdPrepare: true });
    await w.settle();
    w.push(RINGING_ID, { kind: 'view', view: view(RINGING_ID, { direction: 'incoming', state: 'incoming' }) });
    const answering = w.controller.accept(audio);
    const session = w.sessions[0] as RecordedSession;
    // Still preparing: no peer yet. Keys and the offer come (as after a fast accept) and are not lost.
    w.push(RINGING_ID, { kind: 'keys', keys: { ...KEYS, initiator: false } });
    w.push(RINGING_ID, { kind: 'signal', data: OFFER });
    expect(session.log).toEqual(['prepare', 'keys', 'signal']);
    // seq 3 again, and an older seq: replays, dropped.
    w.push(RINGING_ID, { kind: 'signal', data: CANDIDATE }, 3);
    w.push(RINGING_ID, { kind: 'signal', data: CANDIDATE }, 2);
    expect(session.signals).toEqual([OFFER]);
    w.push(RINGING_ID, { kind: 'signal', data: CANDIDATE }, 4);
    expect(session.signals).toEqual([OFFER, CANDIDATE]);
    session.finishPrepare();
    await answering;
  });

  it('a far-side hang-up ends the session, and the peer closing after it is not taken for a lost connection', async () => {
    const { push, callId, session, controller, settle, sent, hooks } = await placed();
    push(callId, { kind: 'keys', keys: KEYS });
    push(callId, { kind: 'view', view: view(callId, { state: 'ended', endReason: 'remote-hangup' }) });
    await settle();
    expect(session.isClosed()).toBe(true);
    expect(hooks.closed).toBe(1);
    session.events.lost('closed');
    await settle();
    expect(sent('call.hangup')).toEqual([]);
    expect(controller.state).toMatchObject({ error: null, call: { state: 'ended', endReason: 'remote-hangup' } });
  });

  it('a lost connection is hung up as connection-lost and said', async () => {
    const { push, callId, session, controller, settle, sent } = await placed();
    push(callId, { kind: 'view', view: view(callId, { state: 'connected' }) });
    session.events.lost('ice-failed');
    await settle();
    expect(sent('call.hangup')).toEqual([{ callId, reason: 'connection-lost' }]);
    expect(session.isClosed()).toBe(true);
    expect(controller.state.error).toBe('The connection to Bob Baker was lost.');
  });

  it('hang-up while the call is being prepared: nothing is placed', async () => {
    const w = world({ holdPrepare: true });
    const placing = w.controller.call('bob', audio);
    await w.controller.hangup();
    expect(w.controller.state.placing).toBeNull();
    w.sessions[0]?.finishPrepare();
    await placing;
    expect(w.sent('call.start')).toEqual([]);
    expect(w.sessions[0]?.isClosed()).toBe(true);
  });

  it('hang-up while the core is placing the call: it is hung up once placed', async () => {
    const w = world();
    let release: () => void = () => undefined;
    w.handlers.set('call.start', (payload) => new Promise((resolve) => {
      release = () => {
        resolve(view((payload as { callId: string }).callId));
      };
    }));
    // The core does not know the call yet: its hang-up is refused.
    w.handlers.set('call.hangup', () => {
      throw new IpcError('no-such-call', 'no such call in progress');
    });
    const placing = w.controller.call('bob', audio);
    await w.settle();
    const callId = String(w.sent('call.start')[0]?.['callId']);
    await w.controller.hangup();
    expect(w.controller.state.placing).toBeNull();
    w.handlers.delete('call.hangup');
    release();
    await placing;
    await w.settle();
    expect(w.sent('call.hangup')).toEqual([{ callId }, { callId }]);
  });

  it('declines the ringing call under its id', async () => {
    const w = await ringing();
    await w.controller.decline();
    expect(w.sent('call.decline')).toEqual([{ callId: RINGING_ID }]);
    expect(w.controller.state.call).toMatchObject({ callId: RINGING_ID, state: 'ended', endReason: 'declined' });
    expect(w.sessions).toEqual([]);
  });

  it('refuses a second call while one is live, and ignores another ring meanwhile', async () => {
    const { controller, push, sent, sessions } = await placed();
    await expect(controller.call('carol', audio)).rejects.toMatchObject({ code: 'in-call' });
    expect(sent('call.start')).toHaveLength(1);
    push(RINGING_ID, { kind: 'view', view: view(RINGING_ID, { direction: 'incoming', state: 'incoming', peerId: 'carol' }) });
    expect(controller.state.call?.callId).not.toBe(RINGING_ID);
    expect(sessions).toHaveLength(1);
  });

  it('ignores the events of an old call once a new one is placed', async () => {
    const w = await placed();
    const old = w.callId;
    w.push(old, { kind: 'view', view: view(old, { state: 'ended', endReason: 'remote-hangup' }) });
    await w.settle();
    await w.controller.call('bob', audio);
    const next = String(w.sent('call.start')[1]?.['callId']);
    expect(next).not.toBe(old);
    const session = w.sessions[1] as RecordedSession;
    w.push(old, { kind: 'keys', keys: KEYS });
    w.push(old, { kind: 'signal', data: OFFER });
    w.push(old, { kind: 'view', view: view(old, { state: 'connected' }) });
    expect(session.log).toEqual(['prepare', 'openPeer']);
    expect(w.controller.state.call).toMatchObject({ callId: next, state: 'outgoing' });
    w.push(next, { kind: 'keys', keys: KEYS });
    expect(session.log).toEqual(['prepare', 'openPeer', 'keys']);
  });

  it('a refusal from the core (key changed) undoes the session and goes back to the caller', async () => {
    const w = world();
    w.handlers.set('call.start', () => {
      throw new IpcError('key-changed', "Bob's safety number has changed: confirm before calling");
    });
    await expect(w.controller.call('bob', audio)).rejects.toMatchObject({ code: 'key-changed' });
    expect(w.controller.state).toMatchObject({ placing: null, error: null });
    expect(w.sessions[0]?.isClosed()).toBe(true);
    // And the next call may go.
    w.handlers.delete('call.start');
    await w.controller.call('bob', audio);
    expect(w.sent('call.start')).toHaveLength(2);
  });

  it('keys the session cannot take end the call as connection-lost', async () => {
    const { push, callId, session, sent, controller, settle } = await placed();
    session.refuseKeys = true;
    push(callId, { kind: 'keys', keys: KEYS });
    await settle();
    expect(sent('call.hangup')).toEqual([{ callId, reason: 'connection-lost' }]);
    expect(session.isClosed()).toBe(true);
    expect(controller.state.error).toMatch(/wrong side/);
  });

  it('a connection from a certificate the peer did not sign ends the call with the warning', async () => {
    const w = await placed();
    w.handlers.set('call.connected', (payload) => ({ fingerprintOk: false, call: view((payload as { callId: string }).callId, { state: 'ended', endReason: 'mitm-detected' }) }));
    w.session.events.connected('v=0\r\n');
    await w.settle();
    expect(w.sent('call.connected')).toEqual([{ callId: w.callId, remoteSdp: 'v=0\r\n' }]);
    expect(w.controller.state).toMatchObject({ error: MITM_WARNING, call: { state: 'ended', endReason: 'mitm-detected' } });
    expect(w.session.isClosed()).toBe(true);
    expect(w.hooks.connected).toBe(0);
  });

  it('a page loaded mid-call hangs the live call up, and shows a ringing one', async () => {
    const live = world({ current: view('live-call-id-000000000000', { state: 'connected' }) });
    await live.settle();
    expect(live.sent('call.hangup')).toEqual([{ callId: 'live-call-id-000000000000', reason: 'connection-lost' }]);
    const ring = world({ current: view(RINGING_ID, { direction: 'incoming', state: 'incoming' }) });
    await ring.settle();
    expect(ring.controller.state.call).toMatchObject({ callId: RINGING_ID, state: 'incoming' });
  });
});
