import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { enrollUser, randomCallId, removeDataDir, runCli, signIn, startServerProcess, type EnrolledUser, type ServerProcess, type TestClient } from './test-support/harness.fixture';
import { groupOverClients } from './test-support/group-clients.fixture';

/*
 * Group calls through the real server on loopback: raw WebSocket clients that speak the protocol
 * as an app would, with opaque bytes where the apps would put MLS messages (the server never reads
 * them, so any bytes do).
 */

const v = PROTOCOL_VERSION;
const bytes = (length: number, fill: number) => toBase64Url(new Uint8Array(length).fill(fill));
const signed = { invite: bytes(200, 1), signature: bytes(64, 2) };
const media = { audio: true, video: true };

let server: ServerProcess;
let alice: EnrolledUser;
let bob: EnrolledUser;
let carol: EnrolledUser;
let dave: EnrolledUser;
let eve: EnrolledUser;

/** Publishes two one-time KeyPackages (bytes filled with `seed` and `seed + 1`) and a last-resort one (`seed + 9`). */
async function publish(user: EnrolledUser, seed: number): Promise<void> {
  user.client.send({ v, type: 'keys.publish', packages: [bytes(300, seed), bytes(300, seed + 1)], lastResort: bytes(300, seed + 9) });
  await user.client.next('keys.published');
}

async function fresh(user: EnrolledUser, seed: number): Promise<TestClient> {
  user.client = await signIn(server, user.userId, user.keys);
  await publish(user, seed);
  return user.client;
}

/** Alice creates a group with `invitees`, each of whom joins; resolves once everyone has seen every join. */
async function groupOf(invitees: EnrolledUser[]): Promise<string> {
  const { groupId, rung } = await groupOverClients(alice, invitees);
  expect(rung).toMatchObject({ rung: invitees.map((user) => user.userId), unavailable: [] });
  return groupId;
}

/** Resolves once the server has seen the user's session end (alice is told by presence). */
async function offline(userId: string): Promise<void> {
  await alice.client.subscribe([userId]);
  await alice.client.next('presence', (m) => m.userId === userId && m.presence === 'offline');
}

/** Alice commits at `epoch`; resolves once every member has it. */
async function commitAll(groupId: string, epoch: number, members: EnrolledUser[]): Promise<void> {
  alice.client.send({ v, type: 'group.commit', groupId, epoch, commit: bytes(100, epoch + 1) });
  for (const member of members) await member.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === epoch);
}

beforeAll(async () => {
  // A grace long enough that a member who reconnects is back well within it.
  server = await startServerProcess({ args: ['--call-grace', '4s'] });
  alice = await enrollUser(server, 'alice');
  bob = await enrollUser(server, 'bob');
  carol = await enrollUser(server, 'carol');
  dave = await enrollUser(server, 'dave');
  eve = await enrollUser(server, 'eve');
  await Promise.all([publish(alice, 10), publish(bob, 20), publish(carol, 30), publish(dave, 40), publish(eve, 50)]);
});

// A test that failed half-way leaves its group behind: fresh sessions leave it for the next test
// (creating or joining a group takes a dropped member out of the one it was in).
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  let seed = 100;
  for (const user of [alice, bob, carol, dave, eve]) {
    user.client.close();
    user.client = await signIn(server, user.userId, user.keys);
    user.client.send({ v, type: 'keys.publish', packages: [bytes(300, (seed += 10))], lastResort: bytes(300, seed + 9) });
  }
});

afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
});

describe('group calls', () => {
  it('runs a whole group call: invite, join, KeyPackages, ordered commits, welcomes, signals, decline, leave, end', async () => {
    const groupId = randomCallId();
    alice.client.send({ v, type: 'group.create', id: 'g1', groupId, media, invitees: ['bob', 'carol', 'dave'], ...signed });
    expect(await alice.client.next('group.rung')).toMatchObject({ groupId, epoch: 0, rung: ['bob', 'carol', 'dave'], unavailable: [] });
    for (const invitee of [bob, carol, dave]) {
      expect(await invitee.client.next('group.invite')).toEqual({ v, type: 'group.invite', groupId, from: 'alice', media, invitees: ['bob', 'carol', 'dave'], members: ['alice'], ...signed });
    }
    expect(await eve.client.nothing('group.invite', 100)).toBe(true);

    bob.client.send({ v, type: 'group.join', groupId });
    for (const member of [alice, bob]) expect(await member.client.next('group.joined')).toMatchObject({ groupId, userId: 'bob', members: ['alice', 'bob'], epoch: 0 });

    // KeyPackages: one-time ones in order, consumed, then the last-resort one, which stays.
    alice.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'] });
    expect(await alice.client.next('keys.packages')).toEqual({ v, type: 'keys.packages', groupId, packages: [{ userId: 'bob', package: bytes(300, 20) }], missing: [] });
    alice.client.send({ v, type: 'keys.fetch', groupId, users: ['bob', 'carol'] });
    expect(await alice.client.next('keys.packages')).toMatchObject({ packages: [{ userId: 'bob', package: bytes(300, 21) }, { userId: 'carol', package: bytes(300, 30) }] });
    for (let round = 0; round < 2; round += 1) {
      alice.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'] });
      expect(await alice.client.next('keys.packages')).toMatchObject({ packages: [{ userId: 'bob', package: bytes(300, 29) }] });
    }

    // Alice adds Bob: the commit to every member (her too, as confirmation), the welcome to Bob only.
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(500, 3), welcome: bytes(800, 4), welcomeTo: 'bob' });
    for (const member of [alice, bob]) expect(await member.client.next('group.committed')).toEqual({ v, type: 'group.committed', groupId, epoch: 0, from: 'alice', commit: bytes(500, 3) });
    expect(await bob.client.next('group.welcome')).toEqual({ v, type: 'group.welcome', groupId, epoch: 0, from: 'alice', welcome: bytes(800, 4) });

    carol.client.send({ v, type: 'group.join', groupId });
    for (const member of [alice, bob, carol]) await member.client.next('group.joined', (m) => m.userId === 'carol');
    // Anyone in may commit: Bob adds Carol.
    bob.client.send({ v, type: 'group.commit', groupId, epoch: 1, commit: bytes(500, 5), welcome: bytes(800, 6), welcomeTo: 'carol' });
    for (const member of [alice, bob, carol]) expect(await member.client.next('group.committed')).toMatchObject({ epoch: 1, from: 'bob' });
    expect(await carol.client.next('group.welcome')).toMatchObject({ epoch: 1, from: 'bob' });
    expect(await alice.client.nothing('group.welcome', 100)).toBe(true);

    // Pairwise signalling, stamped with the sender, to the one member named.
    const dtls = { fingerprint: `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`, signature: bytes(64, 3) };
    alice.client.send({ v, type: 'group.signal', groupId, to: 'carol', data: { type: 'offer', sdp: 'v=0\r\n' }, dtls });
    expect(await carol.client.next('group.signal')).toEqual({ v, type: 'group.signal', groupId, from: 'alice', data: { type: 'offer', sdp: 'v=0\r\n' }, dtls });
    alice.client.send({ v, type: 'group.signal', groupId, to: 'carol', data: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } } });
    expect(await carol.client.next('group.signal')).not.toHaveProperty('dtls');
    expect(await bob.client.nothing('group.signal', 100)).toBe(true);

    // Dave's app declines as busy (he is in a 1:1 call): the members hear why.
    dave.client.send({ v, type: 'group.decline', groupId, reason: 'busy' });
    for (const member of [alice, bob, carol]) expect(await member.client.next('group.declined')).toEqual({ v, type: 'group.declined', groupId, userId: 'dave', reason: 'busy' });
    dave.client.send({ v, type: 'group.join', groupId, id: 'late' });
    expect(await dave.client.error('not-invited')).toMatchObject({ ref: 'late', groupId });

    bob.client.send({ v, type: 'group.leave', groupId });
    for (const member of [alice, carol]) expect(await member.client.next('group.left')).toMatchObject({ userId: 'bob', reason: 'left', members: ['alice', 'carol'] });

    // The owner may leave, and come back.
    alice.client.send({ v, type: 'group.leave', groupId });
    expect(await carol.client.next('group.left')).toMatchObject({ userId: 'alice', reason: 'left', members: ['carol'] });
    alice.client.send({ v, type: 'group.join', groupId });
    for (const member of [alice, carol]) expect(await member.client.next('group.joined', (m) => m.userId === 'alice')).toMatchObject({ members: ['carol', 'alice'], epoch: 2 });

    alice.client.send({ v, type: 'group.end', groupId });
    for (const member of [alice, carol]) expect(await member.client.next('group.ended')).toMatchObject({ groupId, reason: 'ended' });
    carol.client.send({ v, type: 'group.signal', groupId, to: 'alice', data: { renegotiate: true } });
    expect((await carol.client.error('not-a-member')).groupId).toBe(groupId);
  });

  it('gives an outsider nothing: no join, signal, commit, KeyPackage or welcome', async () => {
    const groupId = await groupOf([bob]);
    eve.client.send({ v, type: 'group.join', groupId, id: 'j' });
    expect(await eve.client.error('not-invited')).toMatchObject({ ref: 'j', groupId });
    eve.client.send({ v, type: 'group.signal', groupId, to: 'alice', data: { renegotiate: true }, id: 's' });
    expect(await eve.client.error('not-a-member')).toMatchObject({ ref: 's' });
    eve.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(50, 1), id: 'c' });
    expect(await eve.client.error('not-a-member')).toMatchObject({ ref: 'c' });
    eve.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'], id: 'f' });
    expect(await eve.client.error('not-a-member')).toMatchObject({ ref: 'f' });
    for (const type of ['group.leave', 'group.end', 'group.decline'] as const) {
      eve.client.send({ v, type, groupId, id: type });
      expect((await eve.client.error()).ref).toBe(type);
    }
    // A member cannot hand her a welcome, nor fetch her KeyPackages: she is not in the group.
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(50, 1), welcome: bytes(50, 2), welcomeTo: 'eve', id: 'w' });
    expect(await alice.client.error('not-a-member')).toMatchObject({ ref: 'w', groupId });
    alice.client.send({ v, type: 'keys.fetch', groupId, users: ['eve'], id: 'k' });
    expect(await alice.client.error('not-invited')).toMatchObject({ ref: 'k' });
    // The group is untouched: its epoch is still 0.
    await commitAll(groupId, 0, [alice, bob]);
    expect(eve.client.received.filter((m) => m.type.startsWith('group.') || m.type === 'keys.packages')).toEqual([]);
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('gives a removed member nothing after its removal', async () => {
    const groupId = await groupOf([bob, carol]);
    bob.client.send({ v, type: 'group.remove', groupId, userId: 'carol', id: 'not-owner' });
    expect(await bob.client.error('not-a-member')).toMatchObject({ ref: 'not-owner' });
    alice.client.send({ v, type: 'group.remove', groupId, userId: 'carol' });
    expect(await carol.client.next('group.ended', (m) => m.groupId === groupId)).toMatchObject({ reason: 'removed' });
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.userId === 'carol')).toMatchObject({ reason: 'removed', members: ['alice', 'bob'] });
    const before = carol.client.received.length;
    await commitAll(groupId, 0, [alice, bob]);
    bob.client.send({ v, type: 'group.signal', groupId, to: 'carol', data: { renegotiate: true }, id: 'sig' });
    expect(await bob.client.error('not-a-member')).toMatchObject({ ref: 'sig' });
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 1, commit: bytes(50, 1), welcome: bytes(50, 2), welcomeTo: 'carol', id: 'w' });
    expect(await alice.client.error('not-a-member')).toMatchObject({ ref: 'w' });
    carol.client.send({ v, type: 'group.join', groupId, id: 'back' });
    expect(await carol.client.error('not-invited')).toMatchObject({ ref: 'back' });
    carol.client.send({ v, type: 'group.commit', groupId, epoch: 1, commit: bytes(50, 1), id: 'c' });
    expect(await carol.client.error('not-a-member')).toMatchObject({ ref: 'c' });
    expect(carol.client.received.slice(before).filter((m) => m.type !== 'error')).toEqual([]);
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('fans out exactly one of two commits for one epoch; the other gets stale-epoch with the current epoch', async () => {
    const groupId = await groupOf([bob, carol]);
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(60, 7), id: 'a' });
    bob.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(60, 8), id: 'b' });
    const winner = await carol.client.next('group.committed', (m) => m.groupId === groupId);
    const loser = winner.from === 'alice' ? bob : alice;
    expect(await loser.client.error('stale-epoch')).toMatchObject({ groupId, epoch: 1, ref: loser === alice ? 'a' : 'b' });
    // Everyone saw the same one, and only that one.
    for (const member of [alice, bob]) expect(await member.client.next('group.committed', (m) => m.groupId === groupId)).toEqual(winner);
    for (const member of [alice, bob, carol]) expect(await member.client.nothing('group.committed', 200)).toBe(true);
    // The loser catches up and commits at the current epoch.
    loser.client.send({ v, type: 'group.commit', groupId, epoch: 1, commit: bytes(60, 9) });
    for (const member of [alice, bob, carol]) expect(await member.client.next('group.committed', (m) => m.groupId === groupId)).toMatchObject({ epoch: 1, from: loser.userId });
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('keeps a dropped member for the grace, hands it what it missed when it is back, and lets it go after the grace', async () => {
    const groupId = await groupOf([bob, carol]);
    bob.client.close();
    await bob.client.closed;
    await alice.client.subscribe(['bob']);
    await alice.client.next('presence', (m) => m.userId === 'bob' && m.presence === 'offline');
    await commitAll(groupId, 0, [alice, carol]);
    await fresh(bob, 60);
    bob.client.send({ v, type: 'group.join', groupId });
    expect(await bob.client.next('group.committed')).toMatchObject({ groupId, epoch: 0, from: 'alice' });
    expect(await bob.client.next('group.joined')).toMatchObject({ groupId, userId: 'bob', members: ['alice', 'bob', 'carol'], epoch: 1 });
    expect(await alice.client.nothing('group.left', 100)).toBe(true);

    carol.client.close();
    await carol.client.closed;
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.userId === 'carol', 15_000)).toMatchObject({ reason: 'disconnected', members: ['alice', 'bob'] });
    await fresh(carol, 70);
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('keeps at most 32 messages for an away member: one more takes it out of the group', async () => {
    const groupId = await groupOf([eve, carol]);
    eve.client.close();
    await offline('eve');
    for (let epoch = 0; epoch < 32; epoch += 1) await commitAll(groupId, epoch, [alice, carol]);
    await fresh(eve, 80);
    eve.client.send({ v, type: 'group.join', groupId });
    await eve.client.next('group.joined', (m) => m.groupId === groupId && m.userId === 'eve');
    const missed = eve.client.received.flatMap((m) => (m.type === 'group.committed' ? [m.epoch] : []));
    expect(missed).toEqual(Array.from({ length: 32 }, (_, n) => n));

    eve.client.close();
    await offline('eve');
    for (let epoch = 32; epoch < 65; epoch += 1) await commitAll(groupId, epoch, [alice, carol]);
    // The 33rd message it would have missed took it out, well before its 4 s grace would end: back
    // at once, it is a newcomer (still invited), handed none of the commits it missed.
    await fresh(eve, 85);
    eve.client.send({ v, type: 'group.join', groupId });
    expect(await eve.client.next('group.joined', (m) => m.groupId === groupId)).toMatchObject({ userId: 'eve', members: ['alice', 'carol', 'eve'], epoch: 65 });
    expect(eve.client.received.some((m) => m.type === 'group.committed')).toBe(false);
    expect(await alice.client.next('group.left', (m) => m.groupId === groupId && m.userId === 'eve')).toMatchObject({ reason: 'disconnected', members: ['alice', 'carol'] });
    alice.client.send({ v, type: 'group.end', groupId });
    for (const member of [eve, carol]) await member.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('takes a member that dropped out of its group out of it when it creates a new one', async () => {
    const groupId = await groupOf([bob, carol]);
    carol.client.close();
    await carol.client.closed;
    await fresh(carol, 90);
    const second = randomCallId();
    carol.client.send({ v, type: 'group.create', groupId: second, media, invitees: ['dave'], ...signed });
    expect(await carol.client.next('group.rung', (m) => m.groupId === second)).toMatchObject({ rung: ['dave'] });
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.groupId === groupId && m.userId === 'carol')).toMatchObject({ reason: 'disconnected', members: ['alice', 'bob'] });
    // A member that is there (not dropped) may not start another.
    bob.client.send({ v, type: 'group.create', groupId: randomCallId(), media, invitees: ['eve'], ...signed, id: 'second' });
    expect(await bob.client.error('bad-message')).toMatchObject({ ref: 'second' });
    carol.client.send({ v, type: 'group.end', groupId: second });
    await dave.client.next('group.ended', (m) => m.groupId === second);
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('rings only apps that published KeyPackages, and refuses a second group, a reused id or a bad invite list', async () => {
    // A session that has not published (an app without group calls) is not rung.
    dave.client.close();
    await dave.client.closed;
    dave.client = await signIn(server, 'dave', dave.keys);
    const groupId = randomCallId();
    alice.client.send({ v, type: 'group.create', groupId, media, invitees: ['bob', 'dave'], ...signed });
    expect(await alice.client.next('group.rung', (m) => m.groupId === groupId)).toMatchObject({ rung: ['bob'], unavailable: ['dave'] });
    expect(await dave.client.nothing('group.invite', 200)).toBe(true);
    alice.client.send({ v, type: 'group.create', groupId: randomCallId(), media, invitees: ['carol'], ...signed, id: 'second' });
    expect(await alice.client.error('bad-message')).toMatchObject({ ref: 'second' });
    alice.client.send({ v, type: 'group.create', groupId, media, invitees: ['carol'], ...signed, id: 'same' });
    expect(await alice.client.error('bad-message')).toMatchObject({ ref: 'same' });
    alice.client.send({ v, type: 'group.create', groupId: randomCallId(), media, invitees: ['bob', 'bob'], ...signed, id: 'twice' });
    expect((await alice.client.error('bad-message')).message).toMatch(/twice/);
    alice.client.send({ v, type: 'group.create', groupId: randomCallId(), media, invitees: ['nobody'], ...signed, id: 'nobody' });
    expect(await alice.client.error('unknown-user')).toMatchObject({ ref: 'nobody' });
    // Extending: the owner's new list must keep everyone in; the newcomer is rung, members told.
    bob.client.send({ v, type: 'group.join', groupId });
    await alice.client.next('group.joined', (m) => m.userId === 'bob');
    alice.client.send({ v, type: 'group.invite', groupId, invitees: ['carol'], ...signed, id: 'drop-bob' });
    expect((await alice.client.error('bad-message')).message).toMatch(/bob/);
    // Once its app publishes, the invitation waiting for it rings.
    await publish(dave, 80);
    expect(await dave.client.next('group.invite', (m) => m.groupId === groupId)).toMatchObject({ from: 'alice', members: ['alice', 'bob'] });
    alice.client.send({ v, type: 'group.invite', groupId, invitees: ['bob', 'carol'], ...signed });
    expect(await dave.client.next('group.ended', (m) => m.groupId === groupId)).toMatchObject({ reason: 'uninvited' });
    expect(await bob.client.next('group.invited')).toMatchObject({ groupId, invitees: ['bob', 'carol'] });
    expect(await carol.client.next('group.invite', (m) => m.groupId === groupId)).toMatchObject({ members: ['alice', 'bob'] });
    expect(await alice.client.next('group.rung', (m) => m.groupId === groupId)).toMatchObject({ rung: ['carol'] });
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
    await carol.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('answers a bad or oversized group message with a clear error, ending only that socket when it must', async () => {
    const groupId = await groupOf([bob]);
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(40_000, 1), id: 'big' });
    expect((await alice.client.error('bad-message')).message).toMatch(/commit/);
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(10, 1), welcome: bytes(10, 2), id: 'half' });
    expect((await alice.client.error('bad-message')).message).toMatch(/welcomeTo/);
    alice.client.send({ v, type: 'keys.publish', packages: Array.from({ length: 21 }, () => bytes(10, 1)), lastResort: bytes(10, 1) });
    expect((await alice.client.error('bad-message')).message).toMatch(/packages/);
    // Still connected, and the group still works.
    await commitAll(groupId, 0, [alice, bob]);
    // Beyond the server's message size: that socket only.
    bob.client.send({ v, type: 'group.signal', groupId, to: 'alice', data: { type: 'offer', sdp: 'x'.repeat(100_000) } });
    expect(await bob.client.error('message-too-large')).toBeDefined();
    expect((await bob.client.closed).code).toBe(1009);
    await commitAll(groupId, 1, [alice]);
    await fresh(bob, 90);
    alice.client.send({ v, type: 'group.end', groupId });
    await alice.client.next('group.ended', (m) => m.groupId === groupId);
  });
  it('takes a revoked member out at once, and it cannot be invited again', async () => {
    const frank = await enrollUser(server, 'frank');
    await publish(frank, 110);
    const groupId = await groupOf([bob, frank]);
    const revoked = await runCli(['revoke', 'frank', '--data-dir', server.dataDir]);
    expect(revoked.code).toBe(0);
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.userId === 'frank')).toMatchObject({ reason: 'revoked', members: ['alice', 'bob'] });
    // Out of the directory, so out of any new invite list (its KeyPackages went with its device: key-packages.test.ts).
    alice.client.send({ v, type: 'group.invite', groupId, invitees: ['bob', 'frank'], ...signed, id: 'again' });
    expect(await alice.client.error('unknown-user')).toMatchObject({ ref: 'again' });
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });
  it('shows members as busy while they are in a group', async () => {
    await eve.client.subscribe(['bob']);
    const groupId = await groupOf([bob]);
    await eve.client.next('presence', (m) => m.userId === 'bob' && m.presence === 'busy');
    bob.client.send({ v, type: 'group.leave', groupId });
    await eve.client.next('presence', (m) => m.userId === 'bob' && m.presence === 'online');
    alice.client.send({ v, type: 'group.end', groupId });
    await alice.client.next('group.ended', (m) => m.groupId === groupId);
  });
});
