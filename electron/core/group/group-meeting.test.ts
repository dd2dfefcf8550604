import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { signGroupInvite } from '../../../shared/crypto/group-invite';
import type { GroupMemberState, GroupSeat } from '../../../shared/ipc';
import { PROTOCOL_VERSION } from '../../../shared/protocol';
import { randomCallId, signIn } from '../../../server/test-support/harness.fixture';
import { janusMissingReason, startJanus, type JanusProcess } from '../../../server/test-support/janus.fixture';
import { joinRoom } from '../../../server/test-support/janus-client.fixture';
import type { NodeGroupCore } from '../../../e2e/harness/group-cores';
import { aliceCallsGroup, openProxiedCores, type ProxiedCores } from '../../../e2e/harness/proxied-group-cores';
import type { GroupCallEvent } from './group-call-events';
import { GroupSession } from './group-session';

/*
 * Meetings over the SFU from the core's side (docs/protocol.md, "Meetings over the SFU", "Member
 * state"), with real cores, a real server behind a tampering proxy and a real Janus: the server
 * moves a call past --mesh-max to the SFU, each core in the call hands its page a seat Janus takes
 * and a fresh one before the tokens run out, and members' states travel MLS-encrypted to every
 * member, newcomers included, never to one removed, and nothing the server or a member forges
 * gets through.
 */

const v = PROTOCOL_VERSION;
const missing = janusMissingReason();
const calm: GroupMemberState = { muted: false, cameraOff: false, sharing: false, handRaised: false };

describe.skipIf(missing !== undefined)(`meetings over a real Janus, core side${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let janus: JanusProcess;
  let company: ProxiedCores;
  const core = (userId: string): NodeGroupCore => company.core(userId);

  beforeAll(async () => {
    janus = await startJanus();
    company = await openProxiedCores(['alice', 'bob', 'carol', 'dave'], ['mallory'], [
      '--call-grace', '3s',
      '--janus-url', janus.apiUrl,
      '--janus-secrets-file', janus.secretsFile,
      // The shortest lifetime: the cores ask for a fresh seat 7.5 s in.
      '--janus-token-ttl', '15s',
      '--mesh-max', '2',
    ]);
  }, 90_000);

  afterAll(async () => {
    await company.close();
    await janus.stop();
  });

  afterEach(() => {
    company.proxy.divertFrom('bob', [], () => undefined);
    for (const c of company.cores()) {
      const group = c.groups.current();
      if (group !== undefined && (group.state === 'active' || group.state === 'joining')) c.groups.leave(group.groupId);
    }
  });

  const meeting = (joiners: readonly string[]) => aliceCallsGroup(company, joiners, joiners, 'video');

  function seats(userId: string, groupId: string): GroupSeat[] {
    return core(userId).events.flatMap(({ event }) => (event.kind === 'seat' && event.groupId === groupId ? [event.seat] : []));
  }

  function states(userId: string, groupId: string, from?: string): GroupMemberState[] {
    return core(userId).events.flatMap(({ event }) => (event.kind === 'member' && event.groupId === groupId && (from === undefined || event.userId === from) ? [event.state] : []));
  }

  async function stateOf(userId: string, groupId: string, from: string, test: (state: GroupMemberState) => boolean): Promise<GroupMemberState> {
    const { event } = await core(userId).waitFor((e: GroupCallEvent) => e.kind === 'member' && e.groupId === groupId && e.userId === from && test(e.state), `${from}'s state`);
    if (event.kind !== 'member') throw new Error('not a member state');
    return event.state;
  }

  it('a call past --mesh-max goes through the SFU: every core in it gives its page a seat Janus takes, and a fresh one before it runs out', async () => {
    const { groupId, epoch } = await meeting(['bob', 'carol']);
    const views = await Promise.all(['alice', 'bob', 'carol'].map((id) => core(id).view(groupId, (view) => view.epoch === epoch, 'the last epoch')));
    expect(views.map((view) => view.transport)).toEqual(['sfu', 'sfu', 'sfu']);
    expect(new Set(views.map((view) => view.securityCode)).size).toBe(1);

    for (const id of ['alice', 'bob', 'carol']) await core(id).waitFor((e) => e.kind === 'seat' && e.groupId === groupId, 'a seat');
    const first = ['alice', 'bob', 'carol'].map((id) => seats(id, groupId)[0]);
    expect(new Set(first.map((seat) => seat?.room)).size).toBe(1);
    expect(new Set(first.map((seat) => seat?.participantId)).size).toBe(3);
    const bobs = first[1];
    if (bobs === undefined) throw new Error('no seat for Bob');
    expect(bobs.url).toBe(janus.apiUrl);
    expect(await joinRoom(janus.apiUrl, bobs.token, bobs.room, bobs.participantId, bobs.roomToken)).toMatchObject({ ok: true, id: bobs.participantId });

    // Half the 15 s lifetime later, a fresh seat: same room and place, a later expiry, asked for
    // while the first was still good (not after a reconnect, which also brings one).
    const renewed = await core('bob').waitFor((e) => e.kind === 'seat' && e.groupId === groupId && e.seat.expiresAt > bobs.expiresAt, 'a fresh seat');
    expect(performance.timeOrigin + renewed.at).toBeLessThan(bobs.expiresAt);
    const fresh = seats('bob', groupId).at(-1);
    expect(fresh).toMatchObject({ room: bobs.room, participantId: bobs.participantId });
    expect(core('bob').refusals(groupId)).toEqual([]);

    // The call ends: no more seats are asked for.
    core('alice').groups.end(groupId);
    await core('bob').view(groupId, (view) => view.state === 'ended', 'ended');
    expect(core('bob').groups.view(groupId)?.transport).toBe('sfu');
  }, 90_000);

  it('a seat the server refuses becomes a refusal the page sees, and is asked for again until one comes', async () => {
    core('bob').tuning.seatRetryMs = 300;
    const asked: Record<string, unknown>[] = [];
    company.proxy.divertFrom('bob', ['sfu.join'], (message) => asked.push(message));
    const { groupId } = await meeting(['bob', 'carol']);
    await vi.waitFor(() => { expect(asked.length).toBeGreaterThan(0); }, { timeout: 15_000, interval: 50 });
    const ref = asked[0]?.id;
    expect(company.proxy.inject('bob', { v, type: 'error', code: 'sfu-unavailable', message: 'Janus is down', groupId, ref })).toBe(1);
    const { event } = await core('bob').waitFor((e) => e.kind === 'refused' && e.groupId === groupId, 'a refusal');
    expect(event).toMatchObject({ kind: 'refused', code: 'sfu-unavailable', message: expect.stringMatching(/SFU.*trying again/) as string });
    // Asked again, this time through to the real server: a real seat.
    await vi.waitFor(() => { expect(asked.length).toBeGreaterThan(1); }, { timeout: 15_000, interval: 50 });
    company.proxy.divertFrom('bob', [], () => undefined);
    expect(company.proxy.inject('bob', { v, type: 'error', code: 'sfu-unavailable', message: 'Janus is down', groupId, ref: asked[1]?.id })).toBe(1);
    const seat = await core('bob').waitFor((e) => e.kind === 'seat' && e.groupId === groupId, 'a seat after the refusals');
    expect(seat.event).toMatchObject({ kind: 'seat', groupId });
    expect(seats('bob', groupId)).toHaveLength(1);
    core('bob').tuning.seatRetryMs = undefined;
  }, 90_000);

  it("a member's state reaches every other member, a newcomer gets everyone's, a removed member no more", async () => {
    const { groupId } = await meeting(['bob', 'carol']);
    core('alice').groups.memberState(groupId, { ...calm, handRaised: true });
    core('bob').groups.memberState(groupId, { ...calm, muted: true, cameraOff: true });
    for (const id of ['bob', 'carol']) expect(await stateOf(id, groupId, 'alice', (state) => state.handRaised)).toEqual({ ...calm, handRaised: true });
    for (const id of ['alice', 'carol']) expect(await stateOf(id, groupId, 'bob', (state) => state.muted)).toEqual({ ...calm, muted: true, cameraOff: true });
    expect(states('alice', groupId, 'alice'), 'never to the sender').toEqual([]);

    // Dave joins: Alice's raised hand and Bob's mute reach him without anyone clicking again.
    await core('alice').groups.invite(groupId, ['dave']);
    await core('dave').view(groupId, (view) => view.state === 'incoming', 'incoming');
    core('dave').groups.accept(groupId, core('dave').fingerprint);
    expect(await stateOf('dave', groupId, 'alice', () => true)).toEqual({ ...calm, handRaised: true });
    expect(await stateOf('dave', groupId, 'bob', () => true)).toEqual({ ...calm, muted: true, cameraOff: true });

    // Carol removed: the state Alice sends next reaches Bob and Dave, not her.
    const carolHad = states('carol', groupId).length;
    core('alice').groups.remove(groupId, 'carol');
    await core('carol').view(groupId, (view) => view.state === 'ended', 'removed');
    await core('bob').view(groupId, (view) => view.members.every((member) => member.userId !== 'carol') && view.epoch !== null, 'without Carol');
    core('alice').groups.memberState(groupId, { ...calm, sharing: true });
    for (const id of ['bob', 'dave']) await stateOf(id, groupId, 'alice', (state) => state.sharing);
    expect(states('carol', groupId).length).toBe(carolHad);
  }, 90_000);

  it('a forged, replayed, garbage or other group\'s state, from the server or a member, is dropped; the call goes on', async () => {
    const warn = vi.spyOn(console, 'warn');
    const { groupId } = await meeting(['bob', 'carol']);
    // Bob's states are kept from the server: the tampering proxy plays them as it likes.
    const held: Record<string, unknown>[] = [];
    company.proxy.divertFrom('bob', ['group.state'], (message) => held.push(message));
    core('bob').groups.memberState(groupId, { ...calm, muted: true });
    await vi.waitFor(() => { expect(held).toHaveLength(1); }, { timeout: 15_000, interval: 50 });
    core('bob').groups.memberState(groupId, { ...calm, cameraOff: true });
    await vi.waitFor(() => { expect(held).toHaveLength(2); }, { timeout: 15_000, interval: 50 });
    const [real, second] = held.map((message) => message.state);
    if (typeof real !== 'string' || typeof second !== 'string') throw new Error('no state held');

    // Another group's real application message: Mallory's own MLS group.
    const mallory = { userId: 'mallory', identity: company.keysOf('mallory') };
    const rogueId = randomCallId();
    const invite = { groupId: rogueId, owner: 'mallory', invitees: ['bob'], media: 'audio' as const, issuedAt: Date.now() };
    const rogue = await GroupSession.create({ groupId: rogueId, owner: 'mallory', self: mallory, pinnedKey: () => null }, { invite, signature: await signGroupInvite(mallory.identity.secretKey, invite) });
    const otherGroups = toBase64Url(await rogue.sealApplication(Uint8Array.of(1, 15)));
    rogue.wipe();

    const forged = [
      // Bob's, said to be Carol's: MLS names its sender.
      { from: 'carol', state: second },
      { from: 'bob', state: toBase64Url(crypto.getRandomValues(new Uint8Array(200))) },
      { from: 'bob', state: otherGroups },
      { from: 'mallory', state: real },
      { from: 'bob', state: real },
      // The same message again: MLS opens each once.
      { from: 'bob', state: real },
    ];
    for (const message of forged) expect(company.proxy.inject('alice', { v, type: 'group.state', groupId, ...message })).toBe(1);
    expect(await stateOf('alice', groupId, 'bob', (state) => state.muted)).toEqual({ ...calm, muted: true });

    // Mallory herself, not in the call, sending through the real server: refused there.
    const malloryClient = await signIn(company.server, 'mallory', company.keysOf('mallory'));
    malloryClient.send({ v, type: 'group.state', id: 'm', groupId, state: real });
    expect(await malloryClient.error('not-a-member')).toMatchObject({ ref: 'm' });
    malloryClient.close();

    // Still in the call, still opening: Bob's next state, sent for real.
    company.proxy.divertFrom('bob', [], () => undefined);
    core('bob').groups.memberState(groupId, { ...calm, handRaised: true });
    await stateOf('alice', groupId, 'bob', (state) => state.handRaised);
    expect(states('alice', groupId)).toEqual([{ ...calm, muted: true }, { ...calm, handRaised: true }]);
    const reasons = warn.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('member state'));
    expect(reasons).toEqual([
      expect.stringContaining('from carol dropped (sender-mismatch)'),
      expect.stringContaining('from bob dropped (bad-message)'),
      expect.stringContaining('from bob dropped (wrong-group)'),
      expect.stringContaining('from mallory dropped (not-present)'),
      expect.stringContaining('from bob dropped (bad-message)'),
    ]);
    for (const line of reasons) expect(line).not.toContain(real.slice(0, 16));
    expect(core('alice').groups.view(groupId)?.state).toBe('active');
    warn.mockRestore();
  }, 90_000);
});

describe('a server without an SFU, core side', () => {
  const extras = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'];
  let company: ProxiedCores;

  beforeAll(async () => {
    company = await openProxiedCores(['alice', 'bob'], extras);
  }, 90_000);

  afterAll(async () => {
    await company.close();
  });

  it('a call or a longer list past 8 people is refused, and the page is told why; a mesh call goes on as one', async () => {
    const alice = company.core('alice');
    const tooBig = randomCallId();
    await alice.groups.create({ groupId: tooBig, invitees: ['bob', ...extras], media: 'audio', fingerprint: alice.fingerprint });
    const ended = await alice.view(tooBig, (view) => view.state === 'ended', 'refused');
    expect(ended.endReason).toBe('refused');
    expect(alice.refusals(tooBig)).toMatchObject([{ code: 'group-full', message: expect.stringMatching(/no SFU.*at most 8/) as string }]);

    const groupId = randomCallId();
    await alice.groups.create({ groupId, invitees: ['bob'], media: 'audio', fingerprint: alice.fingerprint });
    await company.core('bob').view(groupId, (view) => view.state === 'incoming', 'incoming');
    company.core('bob').groups.accept(groupId, company.core('bob').fingerprint);
    await alice.keys(groupId, 1);
    await alice.groups.invite(groupId, extras);
    const { event } = await alice.waitFor((e) => e.kind === 'refused' && e.groupId === groupId, 'the refusal');
    expect(event).toMatchObject({ code: 'group-full' });
    expect(alice.groups.view(groupId)).toMatchObject({ state: 'active', transport: 'mesh' });
    expect(company.core('bob').events.some(({ event: e }) => e.kind === 'seat')).toBe(false);
    alice.groups.end(groupId);
  }, 90_000);
});
