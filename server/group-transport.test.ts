import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ServerMessage } from '../shared/protocol';
import { janusMissingReason, startJanus, type JanusProcess } from './test-support/janus.fixture';
import { enrollUser, randomCallId, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';
import { groupOverClients, standInBytes } from './test-support/group-clients.fixture';

/*
 * The transport of a group call (docs/protocol.md, "Meetings over the SFU") and member state
 * (docs/protocol.md, "Member state") through the real server: a call for more than --mesh-max
 * people goes through the SFU, for good; without an SFU a call holds at most 8; a member's state
 * goes to the members present and nobody else, and one member cannot flood the others.
 */

const v = PROTOCOL_VERSION;
const signed = { invite: standInBytes(200, 1), signature: standInBytes(64, 2) };
const media = { audio: true, video: true };
type Incoming<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

async function publish(user: EnrolledUser, seed: number): Promise<void> {
  user.client.send({ v, type: 'keys.publish', packages: [standInBytes(300, seed)], lastResort: standInBytes(300, seed + 1) });
  await user.client.next('keys.published');
}

async function company(server: ServerProcess, ids: readonly string[]): Promise<EnrolledUser[]> {
  const users: EnrolledUser[] = [];
  for (const [index, id] of ids.entries()) {
    const user = await enrollUser(server, id);
    await publish(user, index * 2 + 1);
    users.push(user);
  }
  return users;
}

function named(users: readonly EnrolledUser[], id: string): EnrolledUser {
  const found = users.find((user) => user.userId === id);
  if (found === undefined) throw new Error(`no user ${id}`);
  return found;
}

describe('a server without an SFU', () => {
  let server: ServerProcess;
  let users: EnrolledUser[];

  beforeAll(async () => {
    server = await startServerProcess({ args: ['--call-grace', '4s'] });
    users = await company(server, ['alice', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']);
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    removeDataDir(server.dataDir);
  });

  it('holds a mesh of at most 8: a start or an invite past that is refused as group-full, and nothing says sfu', async () => {
    const alice = named(users, 'alice');
    // Said at sign-in, so the app caps its pickers before anyone is refused.
    expect(alice.welcome.groupCallMax).toBe(8);
    const everyone = users.filter((user) => user !== alice).map((user) => user.userId);
    alice.client.send({ v, type: 'group.create', id: 'nine', groupId: randomCallId(), media, invitees: everyone, ...signed });
    const refused = await alice.client.error('group-full');
    expect(refused).toMatchObject({ ref: 'nine' });
    expect(refused.message).toMatch(/no SFU.*at most 8 people/);

    const { groupId } = await groupOverClients(alice, [named(users, 'u1')], users.slice(2, 8));
    alice.client.send({ v, type: 'group.invite', id: 'more', groupId, invitees: everyone, ...signed });
    expect(await alice.client.error('group-full')).toMatchObject({ ref: 'more', groupId });
    // Still the call it was.
    alice.client.send({ v, type: 'sfu.join', id: 's', groupId });
    expect(await alice.client.error('unsupported')).toMatchObject({ ref: 's' });
    expect(await named(users, 'u1').client.nothing('group.transport')).toBe(true);
    alice.client.send({ v, type: 'group.end', groupId });
    await named(users, 'u1').client.next('group.ended', (m) => m.groupId === groupId);
  });
});

const missing = janusMissingReason();

describe.skipIf(missing !== undefined)(`a server with an SFU${missing === undefined ? '' : ` (skipped: ${missing})`}`, () => {
  let janus: JanusProcess;
  let server: ServerProcess;
  let users: EnrolledUser[];
  const user = (id: string) => named(users, id);

  beforeAll(async () => {
    janus = await startJanus();
    server = await startServerProcess({ args: ['--call-grace', '4s', '--janus-url', janus.apiUrl, '--janus-secrets-file', janus.secretsFile, '--mesh-max', '3'] });
    users = await company(server, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    removeDataDir(server.dataDir);
    await janus.stop();
  });

  it('a call for more people than --mesh-max goes through the SFU: the owner is told, the ring says so', async () => {
    const alice = user('alice');
    expect(alice.welcome.groupCallMax).toBe(50);
    const groupId = randomCallId();
    alice.client.send({ v, type: 'group.create', groupId, media, invitees: ['bob', 'carol', 'dave'], ...signed });
    expect(await alice.client.next('group.transport', (m) => m.groupId === groupId)).toMatchObject({ transport: 'sfu' });
    expect((await user('bob').client.next('group.invite', (m) => m.groupId === groupId)).transport).toBe('sfu');
    user('bob').client.send({ v, type: 'group.join', groupId });
    expect(await user('bob').client.next('group.joined', (m) => m.groupId === groupId)).toMatchObject({ userId: 'bob', transport: 'sfu' });
    alice.client.send({ v, type: 'group.end', groupId });
    await user('bob').client.next('group.ended', (m) => m.groupId === groupId);
    for (const id of ['carol', 'dave']) await user(id).client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('a mesh call that grows past --mesh-max moves to the SFU, and stays there when people leave', async () => {
    const alice = user('alice');
    const { groupId } = await groupOverClients(alice, [user('bob')], [user('carol')]);
    const quiet = await Promise.all(['alice', 'bob', 'carol'].map((id) => user(id).client.nothing('group.transport')));
    expect(quiet, 'three people: a mesh').toEqual([true, true, true]);

    // Dave makes four: the members are told; Carol, still ringing, is rung again, and Dave, with rings that say so.
    alice.client.send({ v, type: 'group.invite', groupId, invitees: ['bob', 'carol', 'dave'], ...signed });
    for (const id of ['alice', 'bob']) expect(await user(id).client.next('group.transport', (m) => m.groupId === groupId)).toMatchObject({ transport: 'sfu' });
    for (const id of ['carol', 'dave']) expect((await user(id).client.next('group.invite', (m) => m.groupId === groupId && m.transport === 'sfu')).invitees).toHaveLength(3);
    alice.client.send({ v, type: 'group.invite', groupId, invitees: ['bob', 'carol', 'dave', 'erin'], ...signed });
    expect((await user('erin').client.next('group.invite', (m) => m.groupId === groupId)).transport).toBe('sfu');
    expect(await alice.client.nothing('group.transport'), 'told once').toBe(true);

    // Everyone but Alice and Bob goes: still the SFU, and a member back after its link dropped hears it.
    for (const id of ['dave', 'erin']) user(id).client.send({ v, type: 'group.decline', groupId });
    user('carol').client.send({ v, type: 'group.join', groupId });
    expect(await user('carol').client.next('group.joined', (m) => m.groupId === groupId && m.userId === 'carol')).toMatchObject({ transport: 'sfu' });
    user('carol').client.send({ v, type: 'group.leave', groupId });
    await alice.client.next('group.left', (m) => m.groupId === groupId && m.userId === 'carol');
    const bob = user('bob');
    bob.client.close();
    bob.client = await signIn(server, 'bob', bob.keys);
    await publish(bob, 40);
    bob.client.send({ v, type: 'group.join', groupId, rejoin: true });
    expect(await bob.client.next('group.joined', (m) => m.groupId === groupId && m.userId === 'bob')).toMatchObject({ members: ['alice', 'bob'], transport: 'sfu' });
    bob.client.send({ v, type: 'sfu.join', id: 'seat', groupId });
    expect(await bob.client.next('sfu.seat', (m) => m.groupId === groupId, 15_000)).toMatchObject({ groupId });
    expect(await bob.client.nothing('group.transport')).toBe(true);
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
  });

  it("a member's state goes to the members present, not to an invitee, an outsider or the sender; a non-member's is refused", async () => {
    const alice = user('alice');
    const { groupId } = await groupOverClients(alice, [user('bob'), user('carol')], [user('dave')]);
    const state = standInBytes(200, 9);
    user('bob').client.send({ v, type: 'group.state', groupId, state });
    for (const id of ['alice', 'carol']) {
      expect(await user(id).client.next('group.state', (m) => m.groupId === groupId)).toEqual({ v, type: 'group.state', groupId, from: 'bob', state });
    }
    const quiet = await Promise.all(['bob', 'dave', 'frank'].map((id) => user(id).client.nothing('group.state')));
    expect(quiet).toEqual([true, true, true]);

    user('dave').client.send({ v, type: 'group.state', id: 'd', groupId, state });
    expect(await user('dave').client.error('not-a-member')).toMatchObject({ ref: 'd', groupId });
    user('frank').client.send({ v, type: 'group.state', id: 'f', groupId, state });
    expect(await user('frank').client.error('not-a-member')).toMatchObject({ ref: 'f', groupId });
    // Too large: refused, and that socket lives on.
    user('bob').client.send({ v, type: 'group.state', id: 'big', groupId, state: standInBytes(1025, 1) });
    expect(await user('bob').client.error('bad-message')).toMatchObject({ ref: 'big' });

    // Removed: no more states reach Carol.
    alice.client.send({ v, type: 'group.remove', groupId, userId: 'carol' });
    await user('carol').client.next('group.ended', (m) => m.groupId === groupId && m.reason === 'removed');
    user('bob').client.send({ v, type: 'group.state', groupId, state: standInBytes(200, 10) });
    await alice.client.next('group.state', (m) => m.groupId === groupId && m.state === standInBytes(200, 10));
    expect(await user('carol').client.nothing('group.state')).toBe(true);
    alice.client.send({ v, type: 'group.end', groupId });
    await user('bob').client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('a commit adding several joiners sends its one welcome to each of them, and only to members', async () => {
    const alice = user('alice');
    const { groupId } = await groupOverClients(alice, [user('bob'), user('carol')], [user('dave')]);
    const commit = standInBytes(100, 5);
    const welcome = standInBytes(300, 6);
    alice.client.send({ v, type: 'group.commit', id: 'invitee', groupId, epoch: 0, commit, welcome, welcomeTo: ['bob', 'dave'] });
    expect(await alice.client.error('not-a-member')).toMatchObject({ ref: 'invitee', groupId });
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit, welcome, welcomeTo: ['bob', 'carol'] });
    for (const id of ['bob', 'carol']) expect(await user(id).client.next('group.welcome', (m) => m.groupId === groupId)).toEqual({ v, type: 'group.welcome', groupId, epoch: 0, from: 'alice', welcome });
    const quiet = await Promise.all(['alice', 'dave'].map((id) => user(id).client.nothing('group.welcome')));
    expect(quiet).toEqual([true, true]);
    alice.client.send({ v, type: 'group.end', groupId });
    await user('bob').client.next('group.ended', (m) => m.groupId === groupId);
  });

  it('one member cannot flood the others: past a burst of 10 its states are refused as rate-limited', async () => {
    const alice = user('alice');
    const { groupId } = await groupOverClients(alice, [user('erin')]);
    for (let index = 0; index < 12; index += 1) user('erin').client.send({ v, type: 'group.state', id: `s${index}`, groupId, state: standInBytes(100, index + 1) });
    const refused = await user('erin').client.error('rate-limited');
    expect(refused.message).toMatch(/member state/);
    const relayed: Incoming<'group.state'>[] = [];
    for (;;) {
      try {
        relayed.push(await alice.client.next('group.state', (m) => m.groupId === groupId, 500));
      } catch {
        break;
      }
    }
    expect(relayed.length).toBeGreaterThanOrEqual(10);
    expect(relayed.length).toBeLessThan(12);
    alice.client.send({ v, type: 'group.end', groupId });
    await user('erin').client.next('group.ended', (m) => m.groupId === groupId);
  });
});
