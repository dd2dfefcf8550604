import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { RedisStore } from './store/redis-store';
import type { TestClient} from './test-support/harness.fixture';
import { enrollThroughStore, randomCallId, removeDataDir, signIn, startServerProcess, tempDataDir, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';
import { groupOverClients } from './test-support/group-clients.fixture';
import { redisMissingReason, startRedis, type RedisProcess } from './test-support/redis-server.fixture';

/*
 * Group calls across two real server processes in cluster mode over a real redis-server: the
 * members of one group are spread over both instances, and the group behaves as on one server
 * (server/group.test.ts), down to a member whose instance dies coming back on the other.
 * Instance A holds alice and carol, B holds bob, dave and eve (who is never invited).
 */

const v = PROTOCOL_VERSION;
const bytes = (length: number, fill: number) => toBase64Url(new Uint8Array(length).fill(fill));
const signed = { invite: bytes(200, 1), signature: bytes(64, 2) };
const media = { audio: true, video: true };

const missing = redisMissingReason();
let redis: RedisProcess;
let store: RedisStore;
const dataDirs: string[] = [];
let a: ServerProcess;
let b: ServerProcess;
let alice: EnrolledUser;
let bob: EnrolledUser;
let carol: EnrolledUser;
let dave: EnrolledUser;
let eve: EnrolledUser;
let seeds = 0;

function startInstance(): Promise<ServerProcess> {
  const dataDir = tempDataDir();
  dataDirs.push(dataDir);
  return startServerProcess({ dataDir, args: ['--redis', redis.url, '--instance-ttl', '1500ms', '--call-grace', '6s'] });
}

/** Publishes two one-time KeyPackages and a last-resort one, all filled with bytes from a fresh seed. */
async function publish(user: EnrolledUser): Promise<number> {
  seeds += 10;
  const seed = seeds;
  user.client.send({ v, type: 'keys.publish', packages: [bytes(300, seed), bytes(300, seed + 1)], lastResort: bytes(300, seed + 9) });
  await user.client.next('keys.published');
  return seed;
}

async function fresh(user: EnrolledUser, server: ServerProcess): Promise<TestClient> {
  user.client = await signIn(server, user.userId, user.keys);
  await publish(user);
  return user.client;
}

/** Alice creates a group with `invitees`, each of whom joins; resolves once everyone has seen every join. */
async function groupOf(invitees: EnrolledUser[]): Promise<string> {
  const { groupId, rung } = await groupOverClients(alice, invitees);
  expect(rung).toMatchObject({ rung: invitees.map((user) => user.userId), unavailable: [] });
  return groupId;
}

async function commitAll(groupId: string, epoch: number, members: EnrolledUser[]): Promise<void> {
  alice.client.send({ v, type: 'group.commit', groupId, epoch, commit: bytes(100, epoch + 1) });
  for (const member of members) await member.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === epoch);
}

/**
 * Resolves once `watcher`'s instance shows `userId` offline: its session is released in Redis, so
 * the group keeps what it says for them from here on. Asked again rather than awaited as an
 * update, because presence updates are batched and a quick online-offline may send none.
 */
async function offline(watcher: EnrolledUser, userId: string): Promise<void> {
  for (;;) {
    const snapshot = await watcher.client.subscribe([userId]);
    if (snapshot.users.find((user) => user.id === userId)?.presence === 'offline') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function endGroup(groupId: string, others: EnrolledUser[]): Promise<void> {
  alice.client.send({ v, type: 'group.end', groupId });
  for (const member of [alice, ...others]) await member.client.next('group.ended', (m) => m.groupId === groupId);
}

beforeAll(async () => {
  if (missing !== undefined) return;
  redis = await startRedis();
  store = await RedisStore.open(redis.url);
  a = await startInstance();
  b = await startInstance();
  const users: EnrolledUser[] = [];
  for (const [name, server] of [['alice', a], ['bob', b], ['carol', a], ['dave', b], ['eve', b]] as const) {
    const user = await enrollThroughStore(store, server, name);
    // Everyone already in hears of the newcomer: both instances list them before anyone invites them.
    for (const earlier of users) await earlier.client.next('directory.user', (m) => m.user.id === name);
    users.push(user);
  }
  [alice, bob, carol, dave, eve] = users as [EnrolledUser, EnrolledUser, EnrolledUser, EnrolledUser, EnrolledUser];
  for (const user of users) await publish(user);
}, 90_000);

afterAll(async () => {
  if (missing !== undefined) return;
  for (const instance of [a as ServerProcess | undefined, b as ServerProcess | undefined]) await instance?.stop();
  await (store as RedisStore | undefined)?.close();
  await (redis as RedisProcess | undefined)?.stop();
  for (const dataDir of dataDirs) removeDataDir(dataDir);
}, 60_000);

// A test that failed half-way leaves its group behind: fresh sessions on the same instances leave
// it for the next test (creating or joining takes a dropped member out of its old group).
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  for (const [user, server] of [[alice, a], [bob, b], [carol, a], [dave, b], [eve, b]] as const) {
    user.client.close();
    await fresh(user, server);
  }
});

describe.skipIf(missing !== undefined)('group calls across two instances', () => {
  it('a commit adding several joiners sends its one welcome to each of them, across instances, and only to members', async () => {
    const groupId = await groupOf([bob, carol, dave]);
    alice.client.send({ v, type: 'group.commit', id: 'outsider', groupId, epoch: 0, commit: bytes(100, 5), welcome: bytes(200, 6), welcomeTo: ['bob', 'eve'] });
    expect(await alice.client.error('not-a-member')).toMatchObject({ ref: 'outsider', groupId });
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(100, 5), welcome: bytes(200, 6), welcomeTo: ['bob', 'carol', 'dave'] });
    for (const member of [bob, carol, dave]) {
      expect(await member.client.next('group.welcome', (m) => m.groupId === groupId)).toEqual({ v, type: 'group.welcome', groupId, epoch: 0, from: 'alice', welcome: bytes(200, 6) });
    }
    expect(await alice.client.nothing('group.welcome', 100)).toBe(true);
    // Read here, or the next test takes this group's commit for its own.
    for (const member of [alice, bob, carol, dave]) {
      expect(await member.client.next('group.committed', (m) => m.groupId === groupId)).toMatchObject({ groupId, epoch: 0, from: 'alice' });
    }
    await commitAll(groupId, 1, [alice, bob, carol, dave]);
    await endGroup(groupId, [bob, carol, dave]);
  });

  it('runs a whole group call with members on both instances: ring, join, KeyPackages, commits in one order, welcomes, signals, leave, end', async () => {
    const groupId = randomCallId();
    alice.client.send({ v, type: 'group.create', id: 'g1', groupId, media, invitees: ['bob', 'carol', 'dave'], ...signed });
    expect(await alice.client.next('group.rung')).toMatchObject({ groupId, epoch: 0, rung: ['bob', 'carol', 'dave'], unavailable: [] });
    for (const invitee of [bob, carol, dave]) {
      expect(await invitee.client.next('group.invite')).toEqual({ v, type: 'group.invite', groupId, from: 'alice', media, invitees: ['bob', 'carol', 'dave'], members: ['alice'], ...signed });
    }
    expect(await eve.client.nothing('group.invite', 100)).toBe(true);

    // Bob (on B) joins alice's group (made on A).
    bob.client.send({ v, type: 'group.join', groupId });
    for (const member of [alice, bob]) expect(await member.client.next('group.joined')).toMatchObject({ groupId, userId: 'bob', members: ['alice', 'bob'], epoch: 0 });

    // KeyPackages from the shared store: one-time ones in order, consumed, then the last-resort one.
    alice.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'] });
    const first = await alice.client.next('keys.packages');
    expect(first).toMatchObject({ groupId, missing: [] });
    alice.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'] });
    const second = await alice.client.next('keys.packages');
    alice.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'] });
    const last = await alice.client.next('keys.packages');
    alice.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'] });
    expect(await alice.client.next('keys.packages')).toEqual(last);
    expect(new Set([first, second, last].map((answer) => answer.packages[0]?.package)).size).toBe(3);

    // Alice adds Bob: the commit to both (her too, as confirmation), the welcome to Bob only, across instances.
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(500, 3), welcome: bytes(800, 4), welcomeTo: 'bob' });
    for (const member of [alice, bob]) expect(await member.client.next('group.committed')).toEqual({ v, type: 'group.committed', groupId, epoch: 0, from: 'alice', commit: bytes(500, 3) });
    expect(await bob.client.next('group.welcome')).toEqual({ v, type: 'group.welcome', groupId, epoch: 0, from: 'alice', welcome: bytes(800, 4) });

    carol.client.send({ v, type: 'group.join', groupId });
    for (const member of [alice, bob, carol]) await member.client.next('group.joined', (m) => m.userId === 'carol');
    dave.client.send({ v, type: 'group.join', groupId });
    for (const member of [alice, bob, carol, dave]) await member.client.next('group.joined', (m) => m.userId === 'dave');
    // Bob (B) adds Carol (A); then a burst of commits from both instances, one epoch after another:
    // every member sees all of them, in the same order.
    bob.client.send({ v, type: 'group.commit', groupId, epoch: 1, commit: bytes(500, 5), welcome: bytes(800, 6), welcomeTo: 'carol' });
    expect(await carol.client.next('group.welcome')).toMatchObject({ epoch: 1, from: 'bob' });
    for (let epoch = 2; epoch < 12; epoch += 1) {
      const committer = epoch % 2 === 0 ? dave : alice;
      committer.client.send({ v, type: 'group.commit', groupId, epoch, commit: bytes(50, epoch) });
      await committer.client.next('group.committed', (m) => m.epoch === epoch);
    }
    for (const member of [bob, carol, dave]) await member.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === 11);
    // Each member's deliveries arrive in order: with epoch 11 in, every earlier one is too.
    const seen = [alice, bob, carol, dave].map((member) =>
      member.client.received.flatMap((m) => (m.type === 'group.committed' && m.groupId === groupId && m.epoch >= 1 ? [`${m.epoch}:${m.from}`] : [])),
    );
    expect(seen[0]).toEqual(['1:bob', ...Array.from({ length: 10 }, (_, n) => `${n + 2}:${n % 2 === 0 ? 'dave' : 'alice'}`)]);
    for (const other of seen.slice(1)) expect(other).toEqual(seen[0]);
    expect(await alice.client.nothing('group.welcome', 100)).toBe(true);

    // Pairwise signalling across instances, stamped with the sender, to the one member named.
    const dtls = { fingerprint: `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`, signature: bytes(64, 3) };
    alice.client.send({ v, type: 'group.signal', groupId, to: 'bob', data: { type: 'offer', sdp: 'v=0\r\n' }, dtls });
    expect(await bob.client.next('group.signal')).toEqual({ v, type: 'group.signal', groupId, from: 'alice', data: { type: 'offer', sdp: 'v=0\r\n' }, dtls });
    bob.client.send({ v, type: 'group.signal', groupId, to: 'carol', data: { renegotiate: true } });
    expect(await carol.client.next('group.signal')).toEqual({ v, type: 'group.signal', groupId, from: 'bob', data: { renegotiate: true } });
    expect(await dave.client.nothing('group.signal', 100)).toBe(true);

    dave.client.send({ v, type: 'group.leave', groupId });
    for (const member of [alice, bob, carol]) expect(await member.client.next('group.left')).toMatchObject({ userId: 'dave', reason: 'left', members: ['alice', 'bob', 'carol'] });

    // The owner may leave, and come back.
    alice.client.send({ v, type: 'group.leave', groupId });
    for (const member of [bob, carol]) expect(await member.client.next('group.left', (m) => m.userId === 'alice')).toMatchObject({ reason: 'left', members: ['bob', 'carol'] });
    alice.client.send({ v, type: 'group.join', groupId });
    for (const member of [alice, bob, carol]) expect(await member.client.next('group.joined', (m) => m.userId === 'alice')).toMatchObject({ members: ['bob', 'carol', 'alice'], epoch: 12 });

    await endGroup(groupId, [bob, carol]);
    bob.client.send({ v, type: 'group.signal', groupId, to: 'alice', data: { renegotiate: true }, id: 'after' });
    expect(await bob.client.error('not-a-member')).toMatchObject({ ref: 'after', groupId });
  });

  it('rings an invitee on the other instance only once its app has published, and lets it decline', async () => {
    dave.client.close();
    await dave.client.closed;
    dave.client = await signIn(b, 'dave', dave.keys);
    const groupId = randomCallId();
    alice.client.send({ v, type: 'group.create', groupId, media, invitees: ['bob', 'dave'], ...signed });
    expect(await alice.client.next('group.rung', (m) => m.groupId === groupId)).toMatchObject({ rung: ['bob'], unavailable: ['dave'] });
    expect(await dave.client.nothing('group.invite', 200)).toBe(true);
    await publish(dave);
    expect(await dave.client.next('group.invite', (m) => m.groupId === groupId)).toMatchObject({ from: 'alice', members: ['alice'] });
    dave.client.send({ v, type: 'group.decline', groupId, reason: 'busy' });
    expect(await alice.client.next('group.declined')).toEqual({ v, type: 'group.declined', groupId, userId: 'dave', reason: 'busy' });
    dave.client.send({ v, type: 'group.join', groupId, id: 'late' });
    expect(await dave.client.error('not-invited')).toMatchObject({ ref: 'late', groupId });
    // The owner, its only member, leaves: the group is empty and over for bob, still being rung.
    alice.client.send({ v, type: 'group.leave', groupId });
    expect(await bob.client.next('group.ended', (m) => m.groupId === groupId)).toMatchObject({ reason: 'empty' });
    alice.client.send({ v, type: 'group.join', groupId, id: 'gone' });
    expect(await alice.client.error('not-a-member')).toMatchObject({ ref: 'gone', groupId });
  });

  it('lets three invitees on both instances join at once: each join is kept, in one order for all', async () => {
    const groupId = randomCallId();
    alice.client.send({ v, type: 'group.create', groupId, media, invitees: ['bob', 'carol', 'dave'], ...signed });
    await alice.client.next('group.rung', (m) => m.groupId === groupId);
    for (const invitee of [bob, carol, dave]) await invitee.client.next('group.invite', (m) => m.groupId === groupId);
    for (const invitee of [bob, carol, dave]) invitee.client.send({ v, type: 'group.join', groupId });
    const joins = [];
    for (let n = 0; n < 3; n += 1) joins.push(await alice.client.next('group.joined', (m) => m.groupId === groupId));
    expect(joins.map((m) => m.members.length)).toEqual([2, 3, 4]);
    expect(new Set(joins.map((m) => m.userId))).toEqual(new Set(['bob', 'carol', 'dave']));
    await endGroup(groupId, [bob, carol, dave]);
  });

  it('fans out exactly one of two commits for one epoch sent from members on different instances; the other gets stale-epoch', async () => {
    const groupId = await groupOf([bob, carol]);
    for (let epoch = 0; epoch < 5; epoch += 1) {
      alice.client.send({ v, type: 'group.commit', groupId, epoch, commit: bytes(60, 7), id: `a${epoch}` });
      bob.client.send({ v, type: 'group.commit', groupId, epoch, commit: bytes(60, 8), id: `b${epoch}` });
      const winner = await carol.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === epoch);
      const loser = winner.from === 'alice' ? bob : alice;
      expect(await loser.client.error('stale-epoch')).toMatchObject({ groupId, epoch: epoch + 1, ref: `${loser === alice ? 'a' : 'b'}${epoch}` });
      for (const member of [alice, bob]) expect(await member.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === epoch)).toEqual(winner);
    }
    // A last commit everyone gets: nothing else came before it.
    await commitAll(groupId, 5, [alice, bob, carol]);
    for (const member of [alice, bob, carol]) {
      const epochs = member.client.received.flatMap((m) => (m.type === 'group.committed' && m.groupId === groupId ? [m.epoch] : []));
      expect(epochs).toEqual([0, 1, 2, 3, 4, 5]);
    }
    await endGroup(groupId, [bob, carol]);
  });

  it('gives an outsider on the other instance nothing: no join, signal, commit, KeyPackage or welcome', async () => {
    const groupId = await groupOf([bob]);
    const before = eve.client.received.length;
    eve.client.send({ v, type: 'group.join', groupId, id: 'j' });
    expect(await eve.client.error('not-invited')).toMatchObject({ ref: 'j', groupId });
    eve.client.send({ v, type: 'group.signal', groupId, to: 'alice', data: { renegotiate: true }, id: 's' });
    expect(await eve.client.error('not-a-member')).toMatchObject({ ref: 's' });
    eve.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(50, 1), id: 'c' });
    expect(await eve.client.error('not-a-member')).toMatchObject({ ref: 'c' });
    eve.client.send({ v, type: 'keys.fetch', groupId, users: ['bob'], id: 'f' });
    expect(await eve.client.error('not-a-member')).toMatchObject({ ref: 'f' });
    for (const type of ['group.leave', 'group.end', 'group.decline', 'group.invite'] as const) {
      eve.client.send(type === 'group.invite' ? { v, type, groupId, invitees: ['eve'], ...signed, id: type } : { v, type, groupId, id: type });
      expect((await eve.client.error()).ref).toBe(type);
    }
    // A member cannot hand her a welcome, nor fetch her KeyPackages: she is not in the group.
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(50, 1), welcome: bytes(50, 2), welcomeTo: 'eve', id: 'w' });
    expect(await alice.client.error('not-a-member')).toMatchObject({ ref: 'w', groupId });
    bob.client.send({ v, type: 'keys.fetch', groupId, users: ['eve'], id: 'k' });
    expect(await bob.client.error('not-invited')).toMatchObject({ ref: 'k' });
    // The group is untouched: its epoch is still 0, and its members are alice and bob.
    await commitAll(groupId, 0, [alice, bob]);
    expect(eve.client.received.slice(before).filter((m) => m.type !== 'error')).toEqual([]);
    await endGroup(groupId, [bob]);
  });

  it('takes a removed member on the other instance out, and gives it nothing after', async () => {
    const groupId = await groupOf([bob, carol]);
    alice.client.send({ v, type: 'group.remove', groupId, userId: 'bob' });
    expect(await bob.client.next('group.ended', (m) => m.groupId === groupId)).toMatchObject({ reason: 'removed' });
    for (const member of [alice, carol]) expect(await member.client.next('group.left', (m) => m.userId === 'bob')).toMatchObject({ reason: 'removed', members: ['alice', 'carol'] });
    const before = bob.client.received.length;
    await commitAll(groupId, 0, [alice, carol]);
    bob.client.send({ v, type: 'group.join', groupId, id: 'back' });
    expect(await bob.client.error('not-invited')).toMatchObject({ ref: 'back' });
    bob.client.send({ v, type: 'group.signal', groupId, to: 'alice', data: { renegotiate: true }, id: 'sig' });
    expect(await bob.client.error('not-a-member')).toMatchObject({ ref: 'sig' });
    // Nor may a member signal to it.
    carol.client.send({ v, type: 'group.signal', groupId, to: 'bob', data: { renegotiate: true }, id: 'to-bob' });
    expect(await carol.client.error('not-a-member')).toMatchObject({ ref: 'to-bob' });
    expect(bob.client.received.slice(before).filter((m) => m.type !== 'error')).toEqual([]);
    await endGroup(groupId, [carol]);
  });

  it('keeps a member whose socket dropped for the grace, and hands it what it missed when it is back on the other instance', async () => {
    const groupId = await groupOf([bob, carol]);
    bob.client.close();
    await bob.client.closed;
    await alice.client.subscribe(['bob']);
    await alice.client.next('presence', (m) => m.userId === 'bob' && m.presence === 'offline');
    await commitAll(groupId, 0, [alice, carol]);
    // Bob was on B; he comes back on A.
    await fresh(bob, a);
    bob.client.send({ v, type: 'group.join', groupId });
    expect(await bob.client.next('group.committed')).toMatchObject({ groupId, epoch: 0, from: 'alice' });
    expect(await bob.client.next('group.joined')).toMatchObject({ groupId, userId: 'bob', members: ['alice', 'bob', 'carol'], epoch: 1 });
    await commitAll(groupId, 1, [alice, bob, carol]);
    // Carol (A) goes and does not come back: any instance ends her grace.
    carol.client.close();
    await carol.client.closed;
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.userId === 'carol', 15_000)).toMatchObject({ reason: 'disconnected', members: ['alice', 'bob'] });
    await fresh(carol, a);
    await endGroup(groupId, [bob]);
    // Back where the other tests expect him.
    bob.client.close();
    await fresh(bob, b);
  });
});

describe.skipIf(missing !== undefined)('group calls across two instances, continued', () => {
  it('takes one user\'s requests in the order sent, though each waits for Redis', async () => {
    const groupId = randomCallId();
    const before = alice.client.received.length;
    // In one TCP segment, so the server reads all four at once: the commits must not overtake
    // the create they depend on, though the create waits for Redis twice and a commit once.
    const socket = (alice.client.ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    alice.client.send({ v, type: 'group.create', groupId, media, invitees: ['bob'], ...signed });
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(40, 1) });
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 1, commit: bytes(40, 2) });
    alice.client.send({ v, type: 'group.end', groupId });
    socket.uncork();
    await alice.client.next('group.ended', (m) => m.groupId === groupId);
    const answers = alice.client.received.slice(before).filter((m) => 'groupId' in m && m.groupId === groupId);
    expect(answers.map((m) => (m.type === 'group.committed' ? `committed ${m.epoch}` : m.type))).toEqual(['group.rung', 'committed 0', 'committed 1', 'group.ended']);
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('shows members as busy on both instances while they are in a group', async () => {
    await eve.client.subscribe(['alice', 'bob']);
    const groupId = await groupOf([bob]);
    for (const userId of ['alice', 'bob']) await eve.client.next('presence', (m) => m.userId === userId && m.presence === 'busy');
    bob.client.send({ v, type: 'group.leave', groupId });
    await eve.client.next('presence', (m) => m.userId === 'bob' && m.presence === 'online');
    await endGroup(groupId, []);
    await eve.client.next('presence', (m) => m.userId === 'alice' && m.presence === 'online');
  });

  it('takes a revoked member out at once, whichever instance it was on', async () => {
    const frank = await enrollThroughStore(store, a, 'frank');
    for (const user of [alice, bob]) await user.client.next('directory.user', (m) => m.user.id === 'frank');
    await publish(frank);
    const groupId = await groupOf([bob, frank]);
    expect(await store.revokeUser('frank', 'left', Date.now())).toBe('revoked');
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.userId === 'frank')).toMatchObject({ reason: 'revoked', members: ['alice', 'bob'] });
    // Its KeyPackages went with its device.
    expect((await store.keyPackages.take(['frank'])).size).toBe(0);
    await endGroup(groupId, [bob]);
    // Every instance cut it; each one's removal found it gone already: one group.left only.
    expect(bob.client.received.filter((m) => m.type === 'group.left' && m.userId === 'frank')).toHaveLength(1);
  });
});

describe.skipIf(missing !== undefined)('away members across instances', () => {
  it('keeps at most 32 messages for an away member: one more takes it out of the group', async () => {
    const groupId = await groupOf([bob, carol]);
    bob.client.close();
    await offline(alice, 'bob');
    for (let epoch = 0; epoch < 32; epoch += 1) await commitAll(groupId, epoch, [alice, carol]);
    await fresh(bob, b);
    bob.client.send({ v, type: 'group.join', groupId });
    await bob.client.next('group.joined', (m) => m.groupId === groupId && m.userId === 'bob');
    const missed = bob.client.received.flatMap((m) => (m.type === 'group.committed' ? [m.epoch] : []));
    expect(missed).toEqual(Array.from({ length: 32 }, (_, n) => n));

    bob.client.close();
    await offline(alice, 'bob');
    for (let epoch = 32; epoch < 65; epoch += 1) await commitAll(groupId, epoch, [alice, carol]);
    // The 33rd message it would have missed: out, well before its grace would end.
    expect(await alice.client.next('group.left', (m) => m.groupId === groupId && m.userId === 'bob')).toMatchObject({ reason: 'disconnected', members: ['alice', 'carol'] });
    // Back, it is a newcomer (still invited), handed none of the commits it missed.
    await fresh(bob, b);
    bob.client.send({ v, type: 'group.join', groupId });
    expect(await bob.client.next('group.joined', (m) => m.groupId === groupId)).toMatchObject({ userId: 'bob', members: ['alice', 'carol', 'bob'], epoch: 65 });
    expect(bob.client.received.some((m) => m.type === 'group.committed')).toBe(false);
    await endGroup(groupId, [bob, carol]);
  });

  it('takes a member that dropped out of its group out of it when it creates a new one on the other instance', async () => {
    const groupId = await groupOf([bob, carol]);
    bob.client.close();
    await bob.client.closed;
    await fresh(bob, a);
    const second = randomCallId();
    bob.client.send({ v, type: 'group.create', groupId: second, media, invitees: ['dave'], ...signed });
    expect(await bob.client.next('group.rung', (m) => m.groupId === second)).toMatchObject({ rung: ['dave'] });
    for (const member of [alice, carol]) expect(await member.client.next('group.left', (m) => m.groupId === groupId && m.userId === 'bob')).toMatchObject({ reason: 'disconnected', members: ['alice', 'carol'] });
    // A member that is there (not dropped) may not start another.
    carol.client.send({ v, type: 'group.create', groupId: randomCallId(), media, invitees: ['eve'], ...signed, id: 'second' });
    expect(await carol.client.error('bad-message')).toMatchObject({ ref: 'second' });
    bob.client.send({ v, type: 'group.end', groupId: second });
    await dave.client.next('group.ended', (m) => m.groupId === second);
    await endGroup(groupId, [carol]);
    bob.client.close();
    await fresh(bob, b);
  });
});

describe.skipIf(missing !== undefined)('a member whose instance dies', () => {
  it('is away once the dead instance is reaped, and on the other instance gets every commit it missed', async () => {
    // Alice (A) is the member on the instance that dies; bob and dave are on B.
    bob.client.send({ v, type: 'group.create', groupId: randomCallId(), media, invitees: ['alice'], ...signed });
    const { groupId } = await bob.client.next('group.rung');
    await alice.client.next('group.invite', (m) => m.groupId === groupId);
    alice.client.send({ v, type: 'group.join', groupId });
    await bob.client.next('group.joined', (m) => m.userId === 'alice');
    await bob.client.subscribe(['alice']);
    await a.stop('SIGKILL');
    try {
      // The survivor reaps A: alice shows offline, and the group keeps what it says for her.
      expect(await bob.client.next('presence', (m) => m.userId === 'alice' && m.presence === 'offline', 10_000)).toBeDefined();
      bob.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: bytes(70, 1) });
      await bob.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === 0);
      bob.client.send({ v, type: 'group.commit', groupId, epoch: 1, commit: bytes(70, 2) });
      await bob.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === 1);
      await fresh(alice, b);
      alice.client.send({ v, type: 'group.join', groupId });
      expect(await alice.client.next('group.committed')).toMatchObject({ groupId, epoch: 0, from: 'bob', commit: bytes(70, 1) });
      expect(await alice.client.next('group.committed')).toMatchObject({ groupId, epoch: 1, from: 'bob', commit: bytes(70, 2) });
      expect(await alice.client.next('group.joined')).toMatchObject({ groupId, userId: 'alice', members: ['bob', 'alice'], epoch: 2 });
      expect(bob.client.received.some((m) => m.type === 'group.left' && m.groupId === groupId)).toBe(false);
      // And she is a member in full again: her commit reaches bob.
      alice.client.send({ v, type: 'group.commit', groupId, epoch: 2, commit: bytes(70, 3) });
      expect(await bob.client.next('group.committed', (m) => m.groupId === groupId && m.epoch === 2)).toMatchObject({ from: 'alice' });
      bob.client.send({ v, type: 'group.end', groupId });
      await alice.client.next('group.ended', (m) => m.groupId === groupId);
    } finally {
      a = await startInstance();
    }
  });
});
