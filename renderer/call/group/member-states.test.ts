import { describe, expect, it } from 'vitest';
import { createBridge, createEventFanout, groupViewSchema, IpcError, type GroupMemberState, type GroupView, type IpcResult } from '../../../shared/ipc';
import { MemberStates, QUIET_STATE } from './member-states';

/*
 * Member states over the real IPC contract: requests go through createBridge (checked against
 * shared/ipc.ts) to a scripted core; its events come back through the same bridge, parsed as the
 * host's hub does.
 */

const GROUP = 'group-call-id-000000001';

function view(members: string[], state: GroupView['state'] = 'active'): GroupView {
  return groupViewSchema.parse({
    groupId: GROUP,
    owner: 'alice',
    outgoing: true,
    media: 'video',
    state,
    invitees: ['bob', 'carol', 'dave'],
    members: members.map((userId, index) => ({ userId, index })),
    unavailable: [],
    declined: [],
    keyChanged: [],
    epoch: 1,
    securityCode: null,
    endReason: null,
    transport: 'mesh',
  });
}

function world(options: { refuse?: boolean } = {}) {
  const sent: GroupMemberState[] = [];
  const fanout = createEventFanout();
  let seq = 0;
  const pending: (() => void)[] = [];
  const bridge = createBridge({
    invoke: (channel, payload) => {
      if (channel !== 'group.memberState') return Promise.resolve({ ok: true, value: null } satisfies IpcResult);
      const { state } = payload as { state: GroupMemberState };
      sent.push(state);
      if (options.refuse === true) {
        // What the core answers until it sends member state (electron/core/handlers/groups.ts).
        const error = new IpcError('group-refused', 'sharing your state with the group is not built yet');
        return Promise.resolve({ ok: false, error: { code: error.code, message: error.message } } satisfies IpcResult);
      }
      return Promise.resolve({ ok: true, value: null } satisfies IpcResult);
    },
    subscribe: fanout.subscribe,
  });
  let changes = 0;
  const states = new MemberStates({
    groupId: GROUP,
    selfId: 'alice',
    bridge,
    changed: () => (changes += 1),
    defer: (run) => pending.push(run),
  });
  return {
    states,
    sent,
    changes: () => changes,
    /** Runs the deferred sends and lets the bridge's promises settle. */
    async settle() {
      for (let round = 0; round < 5; round++) {
        for (const run of pending.splice(0)) run();
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    },
    member(userId: string, state: Partial<GroupMemberState>, at?: number) {
      seq = at ?? seq + 1;
      states.receive(userId, { ...QUIET_STATE, ...state }, seq);
    },
  };
}

describe('member states', () => {
  it('keeps each member’s latest state, and an older event replayed never wins', () => {
    const w = world();
    w.states.updateView(view(['alice', 'bob', 'carol']));
    w.member('bob', { muted: true }, 3);
    w.member('bob', { muted: false, handRaised: true }, 5);
    w.member('bob', { muted: true }, 4);
    expect(w.states.states.get('bob')).toEqual({ ...QUIET_STATE, handRaised: true });
    expect(w.states.states.has('carol')).toBe(false);
  });

  it('ignores another group’s events and its own echo', () => {
    const w = world();
    w.states.updateView(view(['alice', 'bob']));
    w.member('alice', { handRaised: true });
    expect(w.states.states.size).toBe(0);
    expect(w.states.hands.size).toBe(0);
  });

  it('orders raised hands as they went up; a hand raised again goes last; yours counts too', () => {
    const w = world();
    w.states.updateView(view(['alice', 'bob', 'carol', 'dave']));
    w.member('carol', { handRaised: true });
    w.states.setOwn({ ...QUIET_STATE, handRaised: true });
    w.member('bob', { handRaised: true });
    const order = () => [...w.states.hands].sort((a, b) => a[1] - b[1]).map(([userId]) => userId);
    expect(order()).toEqual(['carol', 'alice', 'bob']);
    w.member('carol', { handRaised: false });
    w.member('carol', { handRaised: true });
    expect(order()).toEqual(['alice', 'bob', 'carol']);
    // Muting does not move a hand.
    w.member('bob', { handRaised: true, muted: true });
    expect(order()).toEqual(['alice', 'bob', 'carol']);
  });

  it('forgets a member who left, so they come back with their hand down', () => {
    const w = world();
    w.states.updateView(view(['alice', 'bob']));
    w.member('bob', { handRaised: true });
    w.states.updateView(view(['alice']));
    expect(w.states.hands.has('bob')).toBe(false);
    expect(w.states.states.has('bob')).toBe(false);
  });

  it('sends its own state once the call is active, then only on a change, and again when someone joins', async () => {
    const w = world();
    w.states.setOwn({ ...QUIET_STATE, muted: true });
    w.states.updateView(view(['alice', 'bob'], 'joining'));
    await w.settle();
    expect(w.sent).toEqual([]);

    w.states.updateView(view(['alice', 'bob']));
    await w.settle();
    expect(w.sent).toEqual([{ ...QUIET_STATE, muted: true }]);

    w.states.setOwn({ ...QUIET_STATE, muted: true });
    w.states.updateView(view(['alice', 'bob']));
    await w.settle();
    expect(w.sent).toHaveLength(1);

    // A raise and a mute in the same turn go out as one message.
    w.states.setOwn({ ...QUIET_STATE, muted: true, handRaised: true });
    w.states.setOwn({ ...QUIET_STATE, muted: false, handRaised: true });
    await w.settle();
    expect(w.sent.slice(1)).toEqual([{ ...QUIET_STATE, handRaised: true }]);

    // Carol joins: she must hear it, though nothing changed. Bob leaving tells nobody anything.
    w.states.updateView(view(['alice', 'bob', 'carol']));
    await w.settle();
    expect(w.sent).toHaveLength(3);
    w.states.updateView(view(['alice', 'carol']));
    await w.settle();
    expect(w.sent).toHaveLength(3);
  });

  it('takes the core’s refusal quietly: no error, no retry until the state changes', async () => {
    const w = world({ refuse: true });
    w.states.updateView(view(['alice', 'bob']));
    w.states.setOwn({ ...QUIET_STATE, handRaised: true });
    await w.settle();
    expect(w.sent).toHaveLength(1);
    // Your own hand still shows here.
    expect(w.states.hands.has('alice')).toBe(true);
    w.states.setOwn({ ...QUIET_STATE, handRaised: true });
    await w.settle();
    expect(w.sent).toHaveLength(1);
    w.states.setOwn(QUIET_STATE);
    await w.settle();
    expect(w.sent).toHaveLength(2);
  });

  it('stops listening and sending once closed', async () => {
    const w = world();
    w.states.updateView(view(['alice', 'bob']));
    w.states.close();
    w.member('bob', { handRaised: true });
    w.states.setOwn({ ...QUIET_STATE, handRaised: true });
    await w.settle();
    expect(w.states.states.size).toBe(0);
    expect(w.sent).toEqual([]);
    expect(w.changes()).toBe(0);
  });
});
