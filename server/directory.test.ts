import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../shared/crypto/identity';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { TestClient, enrollUser, inviteDirect, randomCallId, runCli, signIn, serverForSuite } from './test-support/harness.fixture';

const v = PROTOCOL_VERSION;
const server = serverForSuite();

/** A round trip on `client`'s socket: anything the server wrote to it before is read by then. */
async function drained(client: TestClient): Promise<void> {
  client.send({ v, type: 'turn.request' });
  await client.next('turn.credentials');
}

describe('directory, versioned', () => {
  it('lists users with their keys, and announces each enrolment with the version that made it', async () => {
    const alice = await enrollUser(server, 'p-alice', 'Alice');
    const first = await alice.client.sync();
    expect(first.full).toBe(true);
    expect(first.users).toContainEqual({ id: 'p-alice', displayName: 'Alice', identityKey: toBase64Url(serializeIdentityKey(alice.keys.publicKey)) });
    const bob = await enrollUser(server, 'p-bob', 'Bob');
    expect(await alice.client.next('directory.user', (m) => m.user.id === 'p-bob')).toEqual({
      v,
      type: 'directory.user',
      user: { id: 'p-bob', displayName: 'Bob', identityKey: toBase64Url(serializeIdentityKey(bob.keys.publicKey)) },
      version: first.version + 1,
    });
    // The server sends no directory unasked: welcome, then only what the client syncs.
    expect(bob.client.received.some((m) => m.type === 'directory.delta')).toBe(false);
    for (const client of [alice.client, bob.client]) client.close();
  });

  it('gives a returning client only what changed since its copy: new users, re-keys, and revocations as removed', async () => {
    const dana = await enrollUser(server, 'r-dana', 'Dana');
    const eve = await enrollUser(server, 'r-eve', 'Eve');
    const copy = await eve.client.sync();
    eve.client.close();
    await eve.client.closed;

    await enrollUser(server, 'r-frank', 'Frank');
    const rekeyed = await generateIdentityKeyPair();
    const device = await TestClient.connect(server.wsUrl);
    await device.enroll(inviteDirect(server.dataDir, 'r-dana', 'Dana New'), rekeyed);
    await device.next('welcome');
    await dana.client.error('session-replaced');
    const george = await enrollUser(server, 'r-george', 'George');
    expect((await runCli(['revoke', 'r-george', '--data-dir', server.dataDir])).code).toBe(0);
    await george.client.error('revoked');

    const back = await signIn(server, 'r-eve', eve.keys);
    const delta = await back.sync({ epoch: copy.epoch, version: copy.version });
    expect(delta).toEqual({
      v,
      type: 'directory.delta',
      epoch: copy.epoch,
      version: copy.version + 4,
      full: false,
      users: [
        { id: 'r-frank', displayName: 'Frank', identityKey: expect.any(String) as string },
        { id: 'r-dana', displayName: 'Dana New', identityKey: toBase64Url(serializeIdentityKey(rekeyed.publicKey)) },
      ],
      removed: ['r-george'],
    });
    // Up to date: nothing. Another store's copy, or a version never issued: the whole directory.
    expect(await back.sync({ epoch: delta.epoch, version: delta.version })).toMatchObject({ full: false, users: [], removed: [] });
    const other = await back.sync({ epoch: toBase64Url(new Uint8Array(16).fill(7)), version: delta.version });
    expect(other).toMatchObject({ full: true, epoch: copy.epoch, version: delta.version, removed: [] });
    expect(other.users.map((user) => user.id)).toEqual(expect.arrayContaining(['r-dana', 'r-eve', 'r-frank']));
    expect(other.users.map((user) => user.id)).not.toContain('r-george');
    expect((await back.sync({ epoch: copy.epoch, version: delta.version + 1 })).full).toBe(true);
    for (const client of [back, device]) client.close();
  });

  it('publishes a re-enrolled key with its version and cuts the old device off', async () => {
    const dana = await enrollUser(server, 'k-dana', 'Dana');
    const eve = await enrollUser(server, 'k-eve', 'Eve');
    const copy = await eve.client.sync();
    const newKeys = await generateIdentityKeyPair();
    const device = await TestClient.connect(server.wsUrl);
    await device.enroll(inviteDirect(server.dataDir, 'k-dana', 'Dana New'), newKeys);
    await device.next('welcome');
    expect((await dana.client.error('session-replaced')).code).toBe('session-replaced');
    const update = await eve.client.next('directory.user', (m) => m.user.id === 'k-dana');
    expect(update).toMatchObject({ user: { displayName: 'Dana New', identityKey: toBase64Url(serializeIdentityKey(newKeys.publicKey)) }, version: copy.version + 1 });
    const old = await TestClient.connect(server.wsUrl);
    await old.auth('k-dana', dana.keys);
    expect((await old.error()).code).toBe('auth-failed');
    device.close();
    eve.client.close();
  });
});

describe('presence, by subscription', () => {
  it('goes to the sessions that follow a user, and to nobody else', async () => {
    const alice = await enrollUser(server, 's-alice', 'Alice');
    const bob = await enrollUser(server, 's-bob', 'Bob');
    const carol = await enrollUser(server, 's-carol', 'Carol');
    const dave = await enrollUser(server, 's-dave', 'Dave');
    expect(await carol.client.subscribe(['s-alice', 's-bob', 'no-such-user'])).toEqual({
      v,
      type: 'presence.snapshot',
      users: [
        { id: 's-alice', presence: 'online' },
        { id: 's-bob', presence: 'online' },
      ],
    });

    // A call makes both parties busy for their followers.
    alice.client.send({ v, type: 'call.invite', callId: randomCallId(), to: 's-bob', media: { audio: true, video: false }, ake: { commitment: toBase64Url(new Uint8Array(32)), signature: toBase64Url(new Uint8Array(64)) } });
    await carol.client.next('presence', (m) => m.userId === 's-alice' && m.presence === 'busy');
    await carol.client.next('presence', (m) => m.userId === 's-bob' && m.presence === 'busy');

    // Bob drops: the call ends, he goes offline, Alice is online again.
    bob.client.close();
    await carol.client.next('presence', (m) => m.userId === 's-bob' && m.presence === 'offline');
    await carol.client.next('presence', (m) => m.userId === 's-alice' && m.presence === 'online');
    const bobAgain = await signIn(server, 's-bob', bob.keys);
    await carol.client.next('presence', (m) => m.userId === 's-bob' && m.presence === 'online');

    // Dave and Alice follow nobody: they heard none of it.
    for (const client of [dave.client, alice.client]) {
      await drained(client);
      expect(client.received.filter((m) => m.type === 'presence')).toEqual([]);
    }
    // Once Carol stops following Bob, his next change reaches her no more.
    expect(await carol.client.subscribe([], ['s-bob'])).toEqual({ v, type: 'presence.snapshot', users: [] });
    bobAgain.close();
    await carol.client.subscribe(['s-dave']);
    dave.client.close();
    await carol.client.next('presence', (m) => m.userId === 's-dave' && m.presence === 'offline');
    expect(carol.client.received.filter((m) => m.type === 'presence' && m.userId === 's-bob').map((m) => m.type === 'presence' && m.presence)).toEqual(['busy', 'offline', 'online']);
    for (const client of [alice.client, carol.client]) client.close();
  });

  it('refuses a malformed or oversized subscription clearly, keeping the connection', async () => {
    const frank = await enrollUser(server, 's-frank', 'Frank');
    frank.client.send({ v, type: 'presence.subscribe', id: 'big', add: Array.from({ length: 501 }, (_, i) => `x${i}`), remove: [] });
    expect(await frank.client.error('bad-message')).toMatchObject({ ref: 'big', message: expect.stringMatching(/add.*500/) as string });
    frank.client.send({ v, type: 'presence.subscribe', id: 'bad', add: [42], remove: [] });
    expect(await frank.client.error('bad-message')).toMatchObject({ ref: 'bad' });
    frank.client.send({ v, type: 'presence.subscribe', id: 'partial', add: ['s-frank'] });
    expect(await frank.client.error('bad-message')).toMatchObject({ ref: 'partial', message: expect.stringMatching(/remove/) as string });
    expect((await frank.client.subscribe(['s-frank'])).users).toEqual([{ id: 's-frank', presence: 'online' }]);
    frank.client.close();
  });
});
