import { afterAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { enrollUser, randomCallId, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';

/*
 * A group call outlives a restart of its one server instance (docs/protocol.md, "A member whose
 * connection drops"): the media is peer to peer and goes on meanwhile, so the server must still
 * know the group when the members' apps come back: who is in, the owner's signed list, the epoch.
 */

const v = PROTOCOL_VERSION;
const bytes = (length: number, fill: number) => toBase64Url(new Uint8Array(length).fill(fill));
const signed = { invite: bytes(200, 1), signature: bytes(64, 2) };
const media = { audio: true, video: true };
const GRACE = ['--call-grace', '3s'];

const servers: ServerProcess[] = [];

async function start(dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess({ args: GRACE, ...(dataDir === undefined ? {} : { dataDir }) });
  servers.push(server);
  return server;
}

async function publish(user: EnrolledUser, seed: number): Promise<void> {
  user.client.send({ v, type: 'keys.publish', packages: [bytes(300, seed)], lastResort: bytes(300, seed + 9) });
  await user.client.next('keys.published');
}

afterAll(async () => {
  for (const server of servers) await server.stop();
  const first = servers[0];
  if (first) removeDataDir(first.dataDir);
});

describe('a group call across a server restart', () => {
  it('keeps the group: members who come back are in at the same epoch, leave and commit still work, and one who never comes back is dropped after the grace', { timeout: 90_000 }, async () => {
    const before = await start();
    const users = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => enrollUser(before, name)));
    const [alice, bob, carol, dave] = users as [EnrolledUser, EnrolledUser, EnrolledUser, EnrolledUser];
    await Promise.all(users.map((user, index) => publish(user, 10 * (index + 1))));

    const groupId = randomCallId();
    alice.client.send({ v, type: 'group.create', groupId, media, invitees: ['bob', 'carol', 'dave'], ...signed });
    await alice.client.next('group.rung', (m) => m.groupId === groupId);
    const members = [alice];
    for (const invitee of [bob, carol, dave]) {
      await invitee.client.next('group.invite', (m) => m.groupId === groupId);
      invitee.client.send({ v, type: 'group.join', groupId });
      members.push(invitee);
      for (const member of members) await member.client.next('group.joined', (m) => m.userId === invitee.userId);
    }
    for (let epoch = 0; epoch < 3; epoch += 1) {
      alice.client.send({ v, type: 'group.commit', groupId, epoch, commit: bytes(100, epoch + 1) });
      for (const member of members) await member.client.next('group.committed', (m) => m.epoch === epoch);
    }

    // Killed, as a crash or an OOM would: nothing is written on the way out.
    await before.stop('SIGKILL');
    const after = await start(before.dataDir);
    for (const user of [alice, bob, carol]) {
      user.client = await signIn(after, user.userId, user.keys);
      // As the app asks after a reconnect: its old place, nothing else.
      user.client.send({ v, type: 'group.join', groupId, rejoin: true });
      expect(await user.client.next('group.joined', (m) => m.groupId === groupId && m.userId === user.userId)).toMatchObject({
        members: ['alice', 'bob', 'carol', 'dave'],
        epoch: 3,
      });
    }

    // The group still orders commits from where it was, and relays signals between members.
    bob.client.send({ v, type: 'group.commit', groupId, epoch: 2, commit: bytes(100, 9), id: 'stale' });
    expect(await bob.client.error('stale-epoch')).toMatchObject({ ref: 'stale', epoch: 3 });
    carol.client.send({ v, type: 'group.signal', groupId, to: 'alice', data: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } } });
    expect(await alice.client.next('group.signal')).toMatchObject({ groupId, from: 'carol' });

    // Carol leaves: the others hear it, and the next commit is the rekey that takes her out.
    carol.client.send({ v, type: 'group.leave', groupId });
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.userId === 'carol')).toMatchObject({ reason: 'left' });
    alice.client.send({ v, type: 'group.commit', groupId, epoch: 3, commit: bytes(100, 4) });
    for (const member of [alice, bob]) expect(await member.client.next('group.committed')).toMatchObject({ groupId, epoch: 3, from: 'alice' });

    // Dave's app never came back: out after the grace, as if his socket had just closed.
    for (const member of [alice, bob]) expect(await member.client.next('group.left', (m) => m.userId === 'dave', 15_000)).toMatchObject({ reason: 'disconnected', members: ['alice', 'bob'] });
    // When it does come back, it is told it is out, rather than let in with the MLS state of a
    // group that has removed it.
    dave.client = await signIn(after, 'dave', dave.keys);
    dave.client.send({ v, type: 'group.join', groupId, rejoin: true, id: 'late' });
    const refusal = await dave.client.error('not-a-member');
    expect(refusal.ref).toBe('late');
    expect(refusal.message).toContain('away longer than the grace');

    // The owner ends it; a second restart finds nothing left of it.
    alice.client.send({ v, type: 'group.end', groupId });
    await bob.client.next('group.ended', (m) => m.groupId === groupId);
    await after.stop();
    const third = await start(before.dataDir);
    bob.client = await signIn(third, 'bob', bob.keys);
    bob.client.send({ v, type: 'group.join', groupId, id: 'gone' });
    expect(await bob.client.error('not-a-member')).toMatchObject({ ref: 'gone' });
  });
});
