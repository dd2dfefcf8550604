import { describe, expect, it } from 'vitest';
import {
  createBridge,
  createEventFanout,
  groupViewSchema,
  IpcError,
  parseEvent,
  type GroupKeys,
  type GroupView,
  type IpcResult,
} from '../../../shared/ipc';
import type { SignalData } from '../../../shared/protocol/call';
import { GroupCallController, type GroupControllerState, type GroupMediaSession, type GroupSessionEvents } from './group-call-controller';

/*
 * The controller runs against the real IPC contract: its requests go through createBridge (which
 * checks them against shared/ipc.ts) to a scripted core, and the core's events come back through
 * the same bridge, checked by parseEvent as the host's hub does. The mesh is the part the
 * controller is given: here one that records what it is asked to do.
 */

const FINGERPRINT = 'sha-256 AA';
const OFFER: SignalData = { type: 'offer', sdp: 'v=0\r\n' };
const GROUP = 'group-call-id-000000001';
const KEYS: GroupKeys = { epoch: 1, ownIndex: 0, baseKey: 'A'.repeat(43), senders: [{ index: 0, userId: 'alice' }, { index: 1, userId: 'bob' }] };

class RecordedMesh implements GroupMediaSession {
  readonly log: string[] = [];
  readonly keys: GroupKeys[] = [];
  readonly signals: { from: string; data: SignalData }[] = [];
  readonly views: GroupView[] = [];
  refuseKeys = false;
  #closed = false;

  constructor(
    readonly groupId: string,
    readonly selfId: string,
    readonly events: GroupSessionEvents,
  ) {}

  get fingerprint(): string {
    return FINGERPRINT;
  }

  prepare(): Promise<void> {
    this.log.push('prepare');
    return Promise.resolve();
  }

  loadKeys(keys: GroupKeys): void {
    if (this.refuseKeys) throw new Error('the worker refused the epoch');
    this.log.push(`keys ${keys.epoch}`);
    this.keys.push(keys);
  }

  updateMembers(view: GroupView): void {
    this.views.push(view);
  }

  refusePair(userId: string): void {
    this.log.push(`refuse ${userId}`);
  }

  receiveSignal(from: string, data: SignalData): void {
    this.log.push(`signal ${from}`);
    this.signals.push({ from, data });
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

function view(patch: Partial<GroupView> = {}): GroupView {
  return groupViewSchema.parse({
    groupId: GROUP,
    owner: 'alice',
    outgoing: true,
    media: 'video',
    state: 'joining',
    invitees: ['bob', 'carol'],
    members: [{ userId: 'alice', index: 0 }],
    unavailable: [],
    declined: [],
    keyChanged: [],
    epoch: 0,
    securityCode: null,
    endReason: null,
    transport: 'mesh',
    ...patch,
  });
}

type Handler = (payload: unknown) => unknown;

function world(options: { self?: string; current?: GroupView | null } = {}) {
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
  const sessions: RecordedMesh[] = [];
  const states: GroupControllerState[] = [];
  const hooks = { ringing: 0, closed: 0 };
  const memberStates: { groupId: string; userId: string; handRaised: boolean; seq: number }[] = [];
  const controller = new GroupCallController<RecordedMesh>({
    bridge,
    selfId: () => Promise.resolve(options.self ?? 'alice'),
    openSession: (init, events) => {
      const session = new RecordedMesh(init.groupId, init.selfId, events);
      sessions.push(session);
      return session;
    },
    changed: (state) => states.push(state),
    ringing: () => (hooks.ringing += 1),
    closed: () => (hooks.closed += 1),
    memberState: (member) => memberStates.push({ groupId: member.groupId, userId: member.userId, handRaised: member.state.handRaised, seq: member.seq }),
    newGroupId: () => GROUP,
  });

  function defaultAnswer(channel: string, payload: unknown): unknown {
    const { groupId } = (payload ?? { groupId: GROUP }) as { groupId: string };
    switch (channel) {
      case 'group.current':
        return options.current ?? null;
      case 'group.start':
        return view({ groupId });
      case 'group.accept':
        return view({ groupId, outgoing: false, state: 'joining' });
      case 'group.invite':
        return view({ groupId, state: 'active', invitees: ['bob', 'carol', 'dave'] });
      case 'group.decline':
      case 'group.leave':
      case 'group.end':
      case 'group.remove':
      case 'group.signal':
        return null;
      default:
        throw new IpcError('unknown-channel', channel);
    }
  }

  let seq = 0;
  /** What the core pushes, numbered per group and checked against the contract. */
  const push = (body: Record<string, unknown>, at?: number): void => {
    const next = at ?? seq + 1;
    seq = Math.max(seq, next);
    fanout.dispatch('group.event', parseEvent('group.event', { groupId: GROUP, ...body, seq: next }));
  };
  const settle = async () => {
    for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const sent = (channel: string) => requests.filter((request) => request.channel === channel).map((request) => request.payload as Record<string, unknown>);
  return { controller, handlers, push, settle, sent, sessions, states, hooks, memberStates };
}

async function started() {
  const w = world();
  await w.controller.start(['bob', 'carol'], 'video');
  const session = w.sessions[0];
  if (session === undefined) throw new Error('no session');
  return { ...w, session };
}

async function ringing() {
  const w = world({ self: 'bob' });
  await w.settle();
  w.push({ kind: 'view', view: view({ outgoing: false, state: 'incoming' }) });
  return w;
}

describe('GroupCallController', () => {
  it('starts a call with the mesh prepared first and its fingerprint in group.start', async () => {
    const { sent, session, controller } = await started();
    expect(session.log[0]).toBe('prepare');
    expect(session.selfId).toBe('alice');
    expect(sent('group.start')).toEqual([{ groupId: GROUP, invitees: ['bob', 'carol'], media: 'video', fingerprint: FINGERPRINT, confirmKeyChange: false }]);
    expect(controller.state.starting).toBeNull();
    expect(controller.state.view?.state).toBe('joining');
  });

  it('hands each epoch to the mesh at once and routes signals by their sender', async () => {
    const { push, session } = await started();
    push({ kind: 'view', view: view({ state: 'active', members: [{ userId: 'alice', index: 0 }, { userId: 'bob', index: 1 }] }) });
    push({ kind: 'keys', keys: KEYS });
    push({ kind: 'signal', from: 'bob', data: OFFER });
    expect(session.log.slice(1)).toEqual(['keys 1', 'signal bob']);
    expect(session.views.at(-1)?.members).toHaveLength(2);
    expect(session.signals).toEqual([{ from: 'bob', data: OFFER }]);
  });

  it('applies events in seq order: an early one waits for the gap, a replay is dropped', async () => {
    const { push, session } = await started();
    push({ kind: 'signal', from: 'bob', data: OFFER }, 3);
    push({ kind: 'keys', keys: { ...KEYS, epoch: 2 } }, 2);
    expect(session.log.slice(1)).toEqual([]);
    push({ kind: 'keys', keys: KEYS }, 1);
    expect(session.log.slice(1)).toEqual(['keys 1', 'keys 2', 'signal bob']);
    push({ kind: 'keys', keys: KEYS }, 1);
    push({ kind: 'signal', from: 'bob', data: OFFER }, 3);
    expect(session.log.slice(1)).toEqual(['keys 1', 'keys 2', 'signal bob']);
  });

  it("passes members' states on in seq order, only for the call this page is in", async () => {
    const { push, memberStates } = await started();
    const state = (handRaised: boolean) => ({ muted: false, cameraOff: false, sharing: false, handRaised });
    push({ kind: 'member', userId: 'bob', state: state(false) }, 2);
    expect(memberStates).toEqual([]);
    push({ kind: 'member', userId: 'bob', state: state(true) }, 1);
    push({ kind: 'member', userId: 'bob', state: state(true) }, 1);
    push({ groupId: 'group-call-id-000000002', kind: 'member', userId: 'carol', state: state(true) }, 3);
    expect(memberStates).toEqual([
      { groupId: GROUP, userId: 'bob', handRaised: true, seq: 1 },
      { groupId: GROUP, userId: 'bob', handRaised: false, seq: 2 },
    ]);
  });

  it("ignores another group's events while in a call, and a second ring", async () => {
    const { session, controller, push } = await started();
    const other = 'group-call-id-000000002';
    push({ groupId: other, kind: 'keys', keys: KEYS }, 1);
    push({ groupId: other, kind: 'view', view: view({ groupId: other, outgoing: false, state: 'incoming' }) }, 2);
    expect(session.keys).toEqual([]);
    expect(controller.state.view?.groupId).toBe(GROUP);
  });

  it('sends the mesh signalling to the member named, and shows a refused signal', async () => {
    const { session, sent, handlers, controller, settle } = await started();
    session.events.signal('bob', OFFER);
    await settle();
    expect(sent('group.signal')).toEqual([{ groupId: GROUP, to: 'bob', data: OFFER }]);
    handlers.set('group.signal', () => {
      throw new IpcError('group-refused', 'no binding');
    });
    session.events.signal('carol', OFFER);
    await settle();
    expect(controller.state.error).toContain('carol');
  });

  it('rings, then accepts with the fingerprint and opens the mesh for this user', async () => {
    const w = await ringing();
    expect(w.hooks.ringing).toBe(1);
    expect(w.controller.state.view?.state).toBe('incoming');
    await w.controller.accept('audio');
    expect(w.sent('group.accept')).toEqual([{ groupId: GROUP, fingerprint: FINGERPRINT }]);
    expect(w.sessions[0]?.selfId).toBe('bob');
    expect(w.sessions[0]?.log[0]).toBe('prepare');
  });

  it('joins unrung a ring the core checked as the upgrade of the live 1:1 call, and passes upgradeFrom when adding people', async () => {
    const w = world({ self: 'bob' });
    await w.settle();
    w.push({ kind: 'view', view: view({ outgoing: false, state: 'incoming', media: 'audio', upgradeOf: 'one-to-one-call-id-0001' }) });
    await w.settle();
    expect(w.hooks.ringing).toBe(0);
    expect(w.sent('group.accept')).toEqual([{ groupId: GROUP, fingerprint: FINGERPRINT }]);
    expect(w.sessions[0]?.log[0]).toBe('prepare');

    const owner = world();
    await owner.controller.start(['bob', 'carol'], 'audio', { upgradeFrom: 'one-to-one-call-id-0001' });
    expect(owner.sent('group.start')).toEqual([
      { groupId: GROUP, invitees: ['bob', 'carol'], media: 'audio', fingerprint: FINGERPRINT, confirmKeyChange: false, upgradeFrom: 'one-to-one-call-id-0001' },
    ]);
  });

  it('rings as usual when joining an upgrade fails (a safety number to confirm first)', async () => {
    const w = world({ self: 'bob' });
    w.handlers.set('group.accept', () => {
      throw new IpcError('key-changed', "carol's key changed");
    });
    await w.settle();
    w.push({ kind: 'view', view: view({ outgoing: false, state: 'incoming', upgradeOf: 'one-to-one-call-id-0001' }) });
    await w.settle();
    expect(w.sent('group.accept')).toHaveLength(1);
    expect(w.hooks.ringing).toBe(1);
    expect(w.controller.state.view?.state).toBe('incoming');
    expect(w.controller.state.answering).toBe(false);
  });

  it('passes the gate: a key-changed owner is refused unless confirmed', async () => {
    const w = await ringing();
    w.handlers.set('group.accept', (payload) => {
      if ((payload as { confirmKeyChange?: boolean }).confirmKeyChange !== true) throw new IpcError('key-changed', "alice's key changed");
      return view({ outgoing: false });
    });
    await expect(w.controller.accept('video')).rejects.toMatchObject({ code: 'key-changed' });
    expect(w.sessions[0]?.isClosed()).toBe(true);
    expect(w.controller.state.answering).toBe(false);
    // The core's refusal is for the dialog to handle, not an error on screen.
    expect(w.controller.state.error).toBeNull();
    await w.controller.accept('video', { confirmKeyChange: true });
    expect(w.sent('group.accept').at(-1)).toEqual({ groupId: GROUP, fingerprint: FINGERPRINT, confirmKeyChange: true });
    expect(w.sessions[1]?.isClosed()).toBe(false);
  });

  it('declines a ring', async () => {
    const w = await ringing();
    await w.controller.decline();
    expect(w.sent('group.decline')).toEqual([{ groupId: GROUP }]);
    expect(w.controller.state.view?.state).toBe('ended');
    expect(w.sessions).toHaveLength(0);
  });

  it('leaves: the mesh closes and the core is told', async () => {
    const { controller, session, sent, hooks } = await started();
    await controller.leave();
    expect(session.isClosed()).toBe(true);
    expect(hooks.closed).toBe(1);
    expect(sent('group.leave')).toEqual([{ groupId: GROUP }]);
    expect(controller.state.view?.state).toBe('ended');
  });

  it("a member who leaves sees the call ended, as the core's own events say it", async () => {
    const w = await ringing();
    await w.controller.accept('audio');
    w.push({ kind: 'view', view: view({ outgoing: false, state: 'active', members: [{ userId: 'alice', index: 0 }, { userId: 'bob', index: 1 }] }) });
    w.push({ kind: 'keys', keys: { ...KEYS, ownIndex: 1 } });
    // The core ends the call at once and says so in its event stream, before it answers.
    w.handlers.set('group.leave', () => {
      w.push({ kind: 'view', view: view({ outgoing: false, state: 'ended', endReason: 'left', members: [] }) });
      return null;
    });
    await w.controller.leave();
    await w.settle();
    expect(w.sessions[0]?.isClosed()).toBe(true);
    expect(w.controller.state.view).toMatchObject({ state: 'ended', endReason: 'left' });
  });

  it('a leaver sees the call ended at once, before the core answers, and an event still on its way does not bring it back', async () => {
    const w = await ringing();
    await w.controller.accept('audio');
    w.push({ kind: 'view', view: view({ outgoing: false, state: 'active', members: [{ userId: 'alice', index: 0 }, { userId: 'bob', index: 1 }] }) });
    let answer: (value: null) => void = () => undefined;
    w.handlers.set('group.leave', () => new Promise<null>((resolve) => (answer = resolve)));
    const leaving = w.controller.leave();
    await w.settle();
    expect(w.sent('group.leave')).toEqual([{ groupId: GROUP }]);
    expect(w.controller.state.view).toMatchObject({ state: 'ended', endReason: 'left' });
    expect(w.sessions[0]?.isClosed()).toBe(true);
    // A view the core sent before it heard of the leave (a commit adding Carol) arrives after it.
    w.push({ kind: 'view', view: view({ outgoing: false, state: 'active', members: [{ userId: 'alice', index: 0 }, { userId: 'bob', index: 1 }, { userId: 'carol', index: 2 }] }) });
    expect(w.controller.state.view?.state).toBe('ended');
    answer(null);
    await leaving;
    w.push({ kind: 'view', view: view({ outgoing: false, state: 'ended', endReason: 'left', members: [] }) });
    expect(w.controller.state.view).toMatchObject({ state: 'ended', endReason: 'left' });
  });

  it("closes the mesh when the core's view says the call ended", async () => {
    const { push, session, controller } = await started();
    push({ kind: 'view', view: view({ state: 'ended', endReason: 'ended' }) });
    expect(session.isClosed()).toBe(true);
    expect(controller.state.view?.endReason).toBe('ended');
  });

  it('lets only the owner end for everyone, invite and remove', async () => {
    const owner = await started();
    owner.push({ kind: 'view', view: view({ state: 'active' }) });
    await owner.controller.invite(['dave']);
    await owner.controller.remove('bob');
    expect(owner.sent('group.invite')).toEqual([{ groupId: GROUP, userIds: ['dave'] }]);
    expect(owner.sent('group.remove')).toEqual([{ groupId: GROUP, userId: 'bob' }]);
    expect(owner.controller.state.view?.invitees).toContain('dave');
    await owner.controller.end();
    expect(owner.sent('group.end')).toEqual([{ groupId: GROUP }]);
    expect(owner.session.isClosed()).toBe(true);

    const member = await ringing();
    await member.controller.accept('video');
    member.push({ kind: 'view', view: view({ outgoing: false, state: 'active' }) });
    await expect(member.controller.end()).rejects.toMatchObject({ code: 'group-refused' });
    await expect(member.controller.remove('carol')).rejects.toMatchObject({ code: 'group-refused' });
    expect(member.sent('group.end')).toEqual([]);
  });

  it('shows a refusal, and leaves when the keys cannot be used', async () => {
    const { push, session, controller, sent, settle } = await started();
    push({ kind: 'refused', code: 'member-key-mismatch', message: "dave's KeyPackage is not under his pinned key", userId: 'dave' });
    expect(controller.state.error).toContain("dave's KeyPackage");
    session.refuseKeys = true;
    push({ kind: 'keys', keys: KEYS });
    await settle();
    expect(session.isClosed()).toBe(true);
    expect(sent('group.leave')).toEqual([{ groupId: GROUP }]);
  });

  it("closes a pair the core refused as intercepted, and says so", async () => {
    const { push, session, controller } = await started();
    push({ kind: 'refused', code: 'mitm-detected', message: 'the SDP does not carry the bound fingerprint', userId: 'bob' });
    expect(session.log.at(-1)).toBe('refuse bob');
    expect(controller.state.error).toContain('bob');
    expect(controller.state.error).toContain('intercept');
    expect(session.isClosed()).toBe(false);
  });

  it('refuses a second call while one goes on', async () => {
    const { controller } = await started();
    await expect(controller.start(['carol'], 'audio')).rejects.toMatchObject({ code: 'in-call' });
  });

  it('after a reload, a ringing call can be answered and a live one is left', async () => {
    const ring = world({ self: 'bob', current: view({ outgoing: false, state: 'incoming' }) });
    await ring.settle();
    expect(ring.controller.state.view?.state).toBe('incoming');
    const live = world({ current: view({ state: 'active' }) });
    await live.settle();
    expect(live.sent('group.leave')).toEqual([{ groupId: GROUP }]);
  });
});
