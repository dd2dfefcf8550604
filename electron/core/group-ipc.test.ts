import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../shared/crypto/bytes';
import { signGroupDtls } from '../../shared/crypto/group-dtls';
import { signGroupInvite, type GroupInvite } from '../../shared/crypto/group-invite';
import { generateIdentityKeyPair } from '../../shared/crypto/identity';
import { MAX_REQUEST_BYTES, type CallView, type Contact, type GroupEvent, type GroupKeys, type GroupView } from '../../shared/ipc';
import { newCallId, PROTOCOL_VERSION, type SignalData } from '../../shared/protocol';
import { enrollUser, removeDataDir, runCli, startServerProcess, type EnrolledUser, type ServerProcess } from '../../server/test-support/harness.fixture';
import { KeyPackageStore } from './group/key-packages';
import { encodeInviteField } from './group/invite-wire';
import { enrolledHost, type UserHost } from './test-support/user-host.fixture';

/*
 * Group calls over the host's IPC path: real hosts (keystore, contact book pinned from the
 * directory, group-call manager) against a real server process, driven as the renderer drives
 * them. Mallory is a raw protocol client: a member who does what no honest app would.
 */

const v = PROTOCOL_VERSION;
const WAIT_MS = 20_000;
const FP = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
const offer = (fingerprint: string, mark: string): SignalData => ({ type: 'offer', sdp: `v=0\r\no=- ${mark} 2 IN IP4 127.0.0.1\r\na=fingerprint:${fingerprint}\r\n` });
const answer = (fingerprint: string, mark: string): SignalData => ({ type: 'answer', sdp: `v=0\r\no=- ${mark} 2 IN IP4 127.0.0.1\r\na=fingerprint:${fingerprint}\r\n` });
const candidate = (mark: string): SignalData => ({ type: 'candidate', candidate: { candidate: `candidate:${mark} 1 udp 1 127.0.0.1 9 typ host`, sdpMid: '0' } });

let server: ServerProcess;
const hosts: UserHost[] = [];
let alice: UserHost;
let bob: UserHost;
let carol: UserHost;
let dave: UserHost;
let mallory: EnrolledUser;
/** Raw clients to close, whatever beforeAll got to. */
const raw: EnrolledUser[] = [];

async function enrolledUser(userId: string, extra: string[] = []): Promise<UserHost> {
  const result = await runCli(['invite', userId, '--name', userId, '--data-dir', server.dataDir, ...extra]);
  const link = /sealcall:\/\/enroll\?\S+/.exec(result.stdout)?.[0];
  if (!link) throw new Error(`no link in: ${result.stdout} ${result.stderr}`);
  return enrolledHost(link, hosts, userId, WAIT_MS);
}

const knows = (user: UserHost, ids: string[], test: (contact: Contact) => boolean = () => true) =>
  user.waitFor('contacts.changed', (contacts) => ids.every((id) => contacts.some((contact) => contact.id === id && test(contact))), WAIT_MS);

function groupEvent<K extends GroupEvent['kind']>(user: UserHost, groupId: string, kind: K, test: (event: Extract<GroupEvent, { kind: K }>) => boolean, what: string) {
  return user
    .waitFor('group.event', (event) => event.groupId === groupId && event.kind === kind && test(event as Extract<GroupEvent, { kind: K }>), WAIT_MS)
    .catch(() => {
      throw new Error(`${user.name}: no ${what}`);
    }) as Promise<Extract<GroupEvent, { kind: K }>>;
}

const viewOf = async (user: UserHost, groupId: string, test: (view: GroupView) => boolean, what: string) => (await groupEvent(user, groupId, 'view', (e) => test(e.view), `${what} view`)).view;
const keysOf = async (user: UserHost, groupId: string, epoch: number): Promise<GroupKeys> => (await groupEvent(user, groupId, 'keys', (e) => e.keys.epoch === epoch, `keys of ${epoch}`)).keys;
const signalFrom = async (user: UserHost, groupId: string, from: string, mark: string) =>
  (await groupEvent(user, groupId, 'signal', (e) => e.from === from && JSON.stringify(e.data).includes(mark), `signal ${mark}`)).data;
const refusedAbout = (user: UserHost, groupId: string, userId: string) => groupEvent(user, groupId, 'refused', (e) => e.userId === userId, `refusal about ${userId}`);

/** Every group event `user` has had for `groupId`, in order. */
function eventsOf(user: UserHost, groupId: string): GroupEvent[] {
  return user.seen('group.event').filter((event) => event.groupId === groupId);
}

/** Everyone's keys of `epoch` agree, and so do their views' security codes. */
async function converged(groupId: string, users: UserHost[], epoch: number): Promise<void> {
  const keys = await Promise.all(users.map((user) => keysOf(user, groupId, epoch)));
  const views = await Promise.all(users.map((user) => viewOf(user, groupId, (view) => view.epoch === epoch && view.securityCode !== null, `epoch ${epoch}`)));
  expect(new Set(keys.map((key) => key.baseKey)).size).toBe(1);
  expect(new Set(keys.map((key) => key.ownIndex)).size).toBe(users.length);
  expect(new Set(views.map((view) => view.securityCode)).size).toBe(1);
  expect(keys[0]?.senders.map((sender) => sender.userId).sort()).toEqual(users.map((user) => user.name).sort());
}

async function endGroup(owner: UserHost, groupId: string, others: UserHost[]): Promise<void> {
  await owner.call('group.end', { groupId });
  await Promise.all(others.map((user) => viewOf(user, groupId, (view) => view.state === 'ended', 'ended')));
}

/** The owner starts a group; each joiner accepts once rung, with its own certificate. */
async function startGroup(owner: UserHost, invitees: string[], joiners: [UserHost, string][]): Promise<string> {
  const groupId = newCallId();
  await owner.call('group.start', { groupId, invitees, media: 'video', fingerprint: FP('A1'), confirmKeyChange: false });
  for (const [user, fingerprint] of joiners) {
    await viewOf(user, groupId, (view) => view.state === 'incoming', 'incoming');
    await user.call('group.accept', { groupId, fingerprint });
  }
  return groupId;
}

beforeAll(async () => {
  server = await startServerProcess({ args: ['--call-grace', '3s'] });
  alice = await enrolledUser('alice');
  bob = await enrolledUser('bob');
  carol = await enrolledUser('carol');
  dave = await enrolledUser('dave');
  mallory = await enrollUser(server, 'mallory');
  raw.push(mallory);
  // Mallory publishes honest KeyPackages: she is rung, and the owner adds her like anyone.
  const batch = await new KeyPackageStore({ userId: 'mallory', identity: mallory.keys }).generateBatch(4);
  mallory.client.send({ v, type: 'keys.publish', packages: batch.oneTime.map(toBase64Url), lastResort: toBase64Url(batch.lastResort) });
  await mallory.client.next('keys.published');
  for (const user of [alice, bob, carol, dave]) await knows(user, ['alice', 'bob', 'carol', 'dave', 'mallory'].filter((id) => id !== user.name));
}, 180_000);

afterAll(async () => {
  for (const user of raw) user.client.close();
  await Promise.all(hosts.map((user) => user.close()));
  await server.stop();
  removeDataDir(server.dataDir);
});

describe('group calls over IPC', () => {
  // A failed test must not leave anyone in a call the next one would find them busy with.
  afterEach(async () => {
    for (const user of hosts) {
      const current = (await user.host.invoke('group.current', undefined).catch(() => undefined));
      if (current?.ok !== true || current.value === null) continue;
      const { groupId, state } = current.value as GroupView;
      await user.host.invoke(state === 'incoming' ? 'group.decline' : 'group.leave', { groupId });
    }
  });

  it('refuses bad input on every group channel with a clear error', async () => {
    const unknown = newCallId();
    const onUnknown: [string, unknown][] = [
      ['group.invite', { groupId: unknown, userIds: ['bob'] }],
      ['group.accept', { groupId: unknown, fingerprint: FP('AA') }],
      ['group.decline', { groupId: unknown }],
      ['group.leave', { groupId: unknown }],
      ['group.end', { groupId: unknown }],
      ['group.remove', { groupId: unknown, userId: 'bob' }],
      ['group.signal', { groupId: unknown, to: 'bob', data: candidate('x') }],
    ];
    for (const [channel, payload] of onUnknown) await expect(alice.call(channel, payload), channel).rejects.toMatchObject({ code: 'no-such-group' });

    const start = { groupId: newCallId(), invitees: ['bob'], media: 'audio', fingerprint: FP('A1'), confirmKeyChange: false };
    const badStarts: [string, unknown, string][] = [
      ['short group id', { ...start, groupId: 'short' }, 'bad-request'],
      ['a group id with a slash', { ...start, groupId: `${'A'.repeat(21)}/` }, 'bad-request'],
      ['a user id in capitals', { ...start, invitees: ['Bob'] }, 'bad-request'],
      ['nobody invited', { ...start, invitees: [] }, 'bad-request'],
      ['fifty invitees', { ...start, invitees: Array.from({ length: 50 }, (_, index) => `b${index}`) }, 'bad-request'],
      ['an invitee twice', { ...start, invitees: ['bob', 'bob'] }, 'bad-request'],
      ['the owner invited', { ...start, invitees: ['alice'] }, 'bad-request'],
      ['a stranger', { ...start, invitees: ['nobody'] }, 'group-refused'],
      ['a fingerprint of the wrong length', { ...start, fingerprint: 'sha-256 AB:CD' }, 'bad-request'],
      ['an unknown field', { ...start, extra: 1 }, 'bad-request'],
      ['an unknown media', { ...start, media: 'screen' }, 'bad-request'],
      ['an oversized payload', { ...start, invitees: ['bob'], filler: 'x'.repeat(MAX_REQUEST_BYTES + 1) }, 'bad-request'],
    ];
    for (const [what, payload, code] of badStarts) await expect(alice.call('group.start', payload), what).rejects.toMatchObject({ code });
    expect(await alice.call('group.current')).toBeNull();

    const groupId = await startGroup(alice, ['bob', 'carol'], [[bob, FP('B2')]]);
    await converged(groupId, [alice, bob], 1);
    await expect(alice.call('group.start', { ...start, groupId }), 'a group id in use').rejects.toMatchObject({ code: 'bad-request' });
    // Only the owner ends, removes or invites.
    await expect(bob.call('group.end', { groupId })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(bob.call('group.remove', { groupId, userId: 'alice' })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(bob.call('group.invite', { groupId, userIds: ['dave'] })).rejects.toMatchObject({ code: 'bad-request' });
    // A call already joined is not ringing any more; a ringing one is not left but declined.
    await expect(bob.call('group.accept', { groupId, fingerprint: FP('B2') })).rejects.toMatchObject({ code: 'no-such-group' });
    await expect(carol.call('group.leave', { groupId })).rejects.toMatchObject({ code: 'no-such-group' });
    await expect(carol.call('group.accept', { groupId, fingerprint: 'sha-256 AB' })).rejects.toMatchObject({ code: 'bad-request' });
    // Signalling: an SDP over the bound, a bad recipient, a malformed signal.
    const big = { type: 'offer', sdp: `a=fingerprint:${FP('B2')}\r\n${'x'.repeat(48_001)}` };
    await expect(bob.call('group.signal', { groupId, to: 'alice', data: big })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(bob.call('group.signal', { groupId, to: 'Alice', data: candidate('x') })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(bob.call('group.signal', { groupId, to: 'alice', data: { type: 'offer' } })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(bob.call('group.signal', { groupId, to: 'carol', data: candidate('x') })).rejects.toMatchObject({ code: 'group-refused', message: expect.stringContaining('not-present') as unknown });
    await expect(bob.call('group.signal', { groupId, to: 'bob', data: candidate('x') })).rejects.toMatchObject({ code: 'group-refused' });
    // The calls still stand after all that.
    expect(await bob.call('group.current')).toMatchObject({ groupId, state: 'active', epoch: 1 });
    await carol.call('group.decline', { groupId });
    await viewOf(alice, groupId, (view) => view.declined.includes('carol'), 'carol declined');
    await endGroup(alice, groupId, [bob]);
  }, 60_000);

  it('three cores: ring, accept, the same keys and security code; signals flow both ways, each SDP held to its binding', async () => {
    const groupId = await startGroup(alice, ['bob', 'carol'], [
      [bob, FP('B2')],
      [carol, FP('C3')],
    ]);
    expect(await bob.call('group.current')).toMatchObject({ groupId, owner: 'alice', outgoing: false });
    await converged(groupId, [alice, bob, carol], 2);

    await alice.call('group.signal', { groupId, to: 'bob', data: offer(FP('A1'), 'o-1') });
    expect(await signalFrom(bob, groupId, 'alice', 'o-1')).toEqual(offer(FP('A1'), 'o-1'));
    await bob.call('group.signal', { groupId, to: 'alice', data: answer(FP('B2'), 'a-1') });
    await signalFrom(alice, groupId, 'bob', 'a-1');
    await bob.call('group.signal', { groupId, to: 'alice', data: candidate('c-1') });
    await signalFrom(alice, groupId, 'bob', 'c-1');
    // A later re-offer with the same certificate passes too.
    await alice.call('group.signal', { groupId, to: 'bob', data: offer(FP('a1'), 'o-2') });
    await signalFrom(bob, groupId, 'alice', 'o-2');

    // Carol's page offers another certificate than the one it gave: not sent, the pair refused.
    await expect(carol.call('group.signal', { groupId, to: 'bob', data: offer(FP('EE'), 'bad') })).rejects.toMatchObject({
      code: 'group-refused',
      message: expect.stringContaining('mitm-detected') as unknown,
    });
    expect(await refusedAbout(carol, groupId, 'bob')).toMatchObject({ code: 'mitm-detected' });
    await expect(carol.call('group.signal', { groupId, to: 'bob', data: offer(FP('C3'), 'after') })).rejects.toMatchObject({ code: 'group-refused' });
    // Carol's pair with Alice is untouched.
    await carol.call('group.signal', { groupId, to: 'alice', data: offer(FP('C3'), 'c-to-a') });
    await signalFrom(alice, groupId, 'carol', 'c-to-a');

    // One ordered stream per group, without a gap.
    const seqs = eventsOf(bob, groupId).map((event) => event.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await endGroup(alice, groupId, [bob, carol]);
    expect(await bob.call('group.current')).toBeNull();
  }, 60_000);

  it('a member whose binding is forged, or whose re-offer names another certificate, is refused and stays refused', async () => {
    const groupId = await startGroup(alice, ['bob', 'carol', 'mallory'], [
      [bob, FP('B2')],
      [carol, FP('C3')],
    ]);
    await mallory.client.next('group.invite', (m) => m.groupId === groupId);
    mallory.client.send({ v, type: 'group.join', groupId });
    const inMallory = (view: GroupView) => view.members.some((member) => member.userId === 'mallory');
    const joinedAt = await Promise.all([bob, carol].map(async (user) => (await groupEvent(user, groupId, 'view', (e) => inMallory(e.view), 'mallory in')).seq));
    const binding = async (secretKey: Uint8Array, peer: string, fingerprint: string) => ({
      fingerprint,
      signature: toBase64Url(await signGroupDtls(secretKey, { groupId, peer, fingerprint })),
    });
    const forger = await generateIdentityKeyPair();

    // To Bob: a binding not signed by Mallory's pinned key, then her real one: the pair is refused by then.
    mallory.client.send({ v, type: 'group.signal', groupId, to: 'bob', data: offer(FP('DD'), 'forged'), dtls: await binding(forger.secretKey, 'bob', FP('DD')) });
    mallory.client.send({ v, type: 'group.signal', groupId, to: 'bob', data: offer(FP('DD'), 'real'), dtls: await binding(mallory.keys.secretKey, 'bob', FP('DD')) });
    // To Carol: a real binding and offer, then a re-offer naming another certificate, then one with the bound one again.
    mallory.client.send({ v, type: 'group.signal', groupId, to: 'carol', data: offer(FP('DD'), 'first'), dtls: await binding(mallory.keys.secretKey, 'carol', FP('DD')) });
    mallory.client.send({ v, type: 'group.signal', groupId, to: 'carol', data: offer(FP('EE'), 'swapped') });
    mallory.client.send({ v, type: 'group.signal', groupId, to: 'carol', data: offer(FP('DD'), 'again') });
    // Her leaving comes after all of them on her socket: once it shows, they were all handled.
    mallory.client.send({ v, type: 'group.leave', groupId });
    await Promise.all([bob, carol].map((user, i) => groupEvent(user, groupId, 'view', (e) => e.seq > (joinedAt[i] ?? 0) && !inMallory(e.view), 'mallory gone')));

    const fromMallory = (user: UserHost) => eventsOf(user, groupId).filter((e) => (e.kind === 'signal' && e.from === 'mallory') || (e.kind === 'refused' && e.userId === 'mallory'));
    expect(fromMallory(bob)).toMatchObject([{ kind: 'refused', code: 'mitm-detected' }]);
    expect(fromMallory(carol)).toMatchObject([{ kind: 'signal', data: offer(FP('DD'), 'first') }, { kind: 'refused', code: 'mitm-detected' }]);

    // Outside the call, the server itself refuses her signalling: it never reaches a member.
    mallory.client.send({ v, type: 'group.signal', groupId, to: 'bob', data: candidate('outside') });
    expect(await mallory.client.error('not-a-member')).toBeDefined();
    await endGroup(alice, groupId, [bob, carol]);
  }, 60_000);

  it('busy: a group ring during a 1:1 call is declined as busy, a group call cannot be joined during one, nor a 1:1 call placed or answered during a group call', async () => {
    const media = { audio: true, video: false };
    const call = (await alice.call('call.start', { callId: newCallId(), userId: 'bob', media, fingerprint: FP('A1'), confirmKeyChange: false })) as CallView;
    await bob.waitForView((view) => view.callId === call.callId && view.state === 'incoming');
    await bob.call('call.accept', { callId: call.callId, media, fingerprint: FP('B2') });
    await alice.waitForKeys(call.callId);

    await expect(alice.call('group.start', { groupId: newCallId(), invitees: ['carol'], media: 'audio', fingerprint: FP('A1'), confirmKeyChange: false })).rejects.toMatchObject({ code: 'in-call' });
    const groupId = newCallId();
    await carol.call('group.start', { groupId, invitees: ['alice'], media: 'audio', fingerprint: FP('C3'), confirmKeyChange: false });
    // Nothing rings on Alice's screen; Carol hears at once that she is busy.
    const busy = await viewOf(carol, groupId, (view) => view.busy?.includes('alice') === true, 'alice busy');
    expect(busy.declined).toEqual([]);
    expect(eventsOf(alice, groupId)).toEqual([]);
    await alice.call('call.hangup', { callId: call.callId });
    // Rung again once free; a 1:1 call placed meanwhile still keeps her from joining.
    await carol.call('group.invite', { groupId, userIds: ['alice'] });
    await viewOf(alice, groupId, (view) => view.state === 'incoming', 'incoming');
    const toDave = (await alice.call('call.start', { callId: newCallId(), userId: 'dave', media, fingerprint: FP('A1'), confirmKeyChange: false })) as CallView;
    await expect(alice.call('group.accept', { groupId, fingerprint: FP('A1') })).rejects.toMatchObject({ code: 'in-call' });
    await alice.call('call.hangup', { callId: toDave.callId });
    await alice.call('group.accept', { groupId, fingerprint: FP('A1') });
    await converged(groupId, [carol, alice], 1);

    await expect(alice.call('call.start', { callId: newCallId(), userId: 'dave', media, fingerprint: FP('A1'), confirmKeyChange: false })).rejects.toMatchObject({ code: 'in-call' });
    const toAlice = (await dave.call('call.start', { callId: newCallId(), userId: 'alice', media, fingerprint: FP('D4'), confirmKeyChange: false })) as CallView;
    const ended = await dave.waitForView((view) => view.callId === toAlice.callId && view.state === 'ended', WAIT_MS);
    expect(ended.endReason).toBe('busy');
    await endGroup(carol, groupId, [alice]);
  }, 60_000);

  it('a joiner whom nobody adds leaves with timeout', async () => {
    bob.groupTuning.joinTimeoutMs = 1_000;
    try {
      // Mallory owns the call and never commits: nobody adds Bob to the MLS group.
      const invite: GroupInvite = { groupId: newCallId(), owner: 'mallory', invitees: ['bob'], media: 'audio', issuedAt: Date.now() };
      const { groupId } = invite;
      mallory.client.send({
        v,
        type: 'group.create',
        groupId,
        media: { audio: true, video: false },
        invitees: ['bob'],
        invite: encodeInviteField(invite),
        signature: toBase64Url(await signGroupInvite(mallory.keys.secretKey, invite)),
      });
      await viewOf(bob, groupId, (view) => view.state === 'incoming', 'incoming');
      expect(await bob.call('group.accept', { groupId, fingerprint: FP('B2') })).toMatchObject({ state: 'joining' });
      expect(await viewOf(bob, groupId, (view) => view.state === 'ended', 'ended')).toMatchObject({ endReason: 'timeout', epoch: null });
      // And the server was told: Bob is out of the group.
      await mallory.client.next('group.left', (m) => m.groupId === groupId && m.userId === 'bob');
      expect(await bob.call('group.current')).toBeNull();
      mallory.client.send({ v, type: 'group.end', groupId });
    } finally {
      delete bob.groupTuning.joinTimeoutMs;
    }
  }, 30_000);

  it('a ring not signed by the owner\'s pinned key reaches the page only as a refusal, and is declined', async () => {
    const invite: GroupInvite = { groupId: newCallId(), owner: 'mallory', invitees: ['bob'], media: 'audio', issuedAt: Date.now() };
    const forger = await generateIdentityKeyPair();
    mallory.client.send({
      v,
      type: 'group.create',
      groupId: invite.groupId,
      media: { audio: true, video: false },
      invitees: ['bob'],
      invite: encodeInviteField(invite),
      signature: toBase64Url(await signGroupInvite(forger.secretKey, invite)),
    });
    expect(await refusedAbout(bob, invite.groupId, 'mallory')).toMatchObject({ seq: 1, code: 'bad-invite' });
    await mallory.client.next('group.declined', (m) => m.groupId === invite.groupId && m.userId === 'bob');
    expect(eventsOf(bob, invite.groupId).filter((event) => event.kind === 'view')).toEqual([]);
    expect(await bob.call('group.current')).toBeNull();
    mallory.client.send({ v, type: 'group.end', groupId: invite.groupId });
  }, 30_000);

  it('the key-change gate: starting, and joining a ring whose owner or a member changed key, needs the confirmation; a change mid-call shows who', async () => {
    // IT revokes Dave and enrolls him again: his new key reaches the others through the directory.
    await runCli(['revoke', 'dave', '--data-dir', server.dataDir]);
    await dave.close();
    const daveAgain = await enrolledUser('dave', ['--reinstate']);
    await Promise.all([alice, bob, carol].map((user) => knows(user, ['dave'], (contact) => contact.keyChanged)));
    await knows(daveAgain, ['alice', 'bob', 'carol']);

    const start = { invitees: ['dave'], media: 'audio', fingerprint: FP('A1') };
    await expect(alice.call('group.start', { ...start, groupId: newCallId(), confirmKeyChange: false })).rejects.toMatchObject({ code: 'key-changed' });
    const groupId = newCallId();
    expect(await alice.call('group.start', { ...start, groupId, confirmKeyChange: true })).toMatchObject({ state: 'active', keyChanged: [] });
    await viewOf(daveAgain, groupId, (view) => view.state === 'incoming', 'incoming');
    await daveAgain.call('group.accept', { groupId, fingerprint: FP('D4') });
    await converged(groupId, [alice, daveAgain], 1);
    // Carol is rung with Dave in the call, and his key changed on her device.
    await alice.call('group.invite', { groupId, userIds: ['carol'] });
    const ring = await viewOf(carol, groupId, (view) => view.state === 'incoming', 'incoming');
    expect(ring.members.map((m) => m.userId).sort()).toEqual(['alice', 'dave']);
    expect(ring.keyChanged).toEqual(['dave']);
    await expect(carol.call('group.accept', { groupId, fingerprint: FP('C3') })).rejects.toMatchObject({ code: 'key-changed' });
    expect(await carol.call('group.accept', { groupId, fingerprint: FP('C3'), confirmKeyChange: true })).toMatchObject({ state: 'joining', keyChanged: [] });
    await converged(groupId, [alice, daveAgain, carol], 2);
    await endGroup(alice, groupId, [daveAgain, carol]);

    // Dave, whose new key Bob has not confirmed, rings Bob: the ring shows, the answer waits for the confirmation.
    const second = await startGroup(daveAgain, ['bob'], []);
    const bobsRing = await viewOf(bob, second, (view) => view.state === 'incoming', 'incoming');
    expect(bobsRing.keyChanged).toEqual(['dave']);
    await expect(bob.call('group.accept', { groupId: second, fingerprint: FP('B2') })).rejects.toMatchObject({ code: 'key-changed' });
    await bob.call('group.accept', { groupId: second, fingerprint: FP('B2'), confirmKeyChange: true });
    await converged(second, [daveAgain, bob], 1);

    // Mid-call, Dave's key changes again: Bob's view names him, sent before (or with) the contact
    // list that flags him, whether the directory's news comes before or after Dave's old device leaves.
    const before = bob.timeline().length;
    const oldLists = new Set(bob.seen('contacts.changed'));
    await runCli(['revoke', 'dave', '--data-dir', server.dataDir]);
    const daveThird = await enrolledUser('dave', ['--reinstate']);
    await bob.waitFor('contacts.changed', (contacts) => !oldLists.has(contacts) && contacts.some((c) => c.id === 'dave' && c.keyChanged), WAIT_MS);
    await viewOf(bob, second, (view) => view.keyChanged.includes('dave'), 'dave flagged mid-call');
    const since = bob.timeline().slice(before);
    const flaggedAt = since.findIndex((entry) => entry.event === 'contacts.changed' && (entry.payload as Contact[]).some((c) => c.id === 'dave' && c.keyChanged));
    const namedAt = since.findIndex((entry) => {
      const event = entry.payload as GroupEvent;
      return entry.event === 'group.event' && event.groupId === second && event.kind === 'view' && event.view.keyChanged.includes('dave');
    });
    expect(flaggedAt).toBeGreaterThanOrEqual(0);
    expect(namedAt).toBeGreaterThanOrEqual(0);
    expect(namedAt).toBeLessThan(flaggedAt);
    await daveThird.close();
    await bob.call('group.leave', { groupId: second });
  }, 90_000);
});
