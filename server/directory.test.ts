import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../shared/crypto/identity';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { TestClient, enrollUser, inviteDirect, randomCallId, signIn, serverForSuite } from './test-support/harness.fixture';

const v = PROTOCOL_VERSION;
const server = serverForSuite();

describe('directory and presence', () => {
  it('shows two, then three users each other, with keys and live presence', async () => {
    const alice = await enrollUser(server, 'p-alice', 'Alice');
    const bob = await enrollUser(server, 'p-bob', 'Bob');
    // Alice learns of Bob's enrolment with his key, already online.
    const bobEntry = await alice.client.next('directory.user', (m) => m.user.id === 'p-bob');
    expect(bobEntry.user).toEqual({ id: 'p-bob', displayName: 'Bob', identityKey: toBase64Url(serializeIdentityKey(bob.keys.publicKey)), presence: 'online' });

    const carol = await enrollUser(server, 'p-carol', 'Carol');
    await alice.client.next('directory.user', (m) => m.user.id === 'p-carol');
    await bob.client.next('directory.user', (m) => m.user.id === 'p-carol');
    const carolDirectory = carol.client.received.find((m) => m.type === 'directory');
    expect(carolDirectory?.type === 'directory' && carolDirectory.users.filter((u) => u.id.startsWith('p-')).map((u) => [u.id, u.presence])).toEqual([
      ['p-alice', 'online'],
      ['p-bob', 'online'],
    ]);

    // A call makes both parties busy for everyone else.
    alice.client.send({ v, type: 'call.invite', callId: randomCallId(), to: 'p-bob', media: { audio: true, video: false }, ake: { commitment: toBase64Url(new Uint8Array(32)), signature: toBase64Url(new Uint8Array(64)) } });
    await carol.client.next('presence', (m) => m.userId === 'p-alice' && m.presence === 'busy');
    await carol.client.next('presence', (m) => m.userId === 'p-bob' && m.presence === 'busy');

    // Bob drops: the call ends, he goes offline, Alice is online again.
    bob.client.close();
    await carol.client.next('presence', (m) => m.userId === 'p-bob' && m.presence === 'offline');
    await carol.client.next('presence', (m) => m.userId === 'p-alice' && m.presence === 'online');

    // He comes back and is online again; a fresh directory request agrees.
    const bobAgain = await signIn(server, 'p-bob', bob.keys);
    await carol.client.next('presence', (m) => m.userId === 'p-bob' && m.presence === 'online');
    carol.client.send({ v, type: 'directory.request', id: 'dir' });
    const directory = await carol.client.next('directory');
    expect(directory.users.find((u) => u.id === 'p-bob')?.presence).toBe('online');
    // Nobody is told about their own presence.
    expect(carol.client.received.some((m) => m.type === 'presence' && m.userId === 'p-carol')).toBe(false);
    for (const client of [alice.client, bobAgain, carol.client]) client.close();
  });

  it('publishes a re-enrolled key and cuts the old device off', async () => {
    const dana = await enrollUser(server, 'k-dana', 'Dana');
    const eve = await enrollUser(server, 'k-eve', 'Eve');
    const code = inviteDirect(server.dataDir, 'k-dana', 'Dana New');
    const newKeys = await generateIdentityKeyPair();
    const device = await TestClient.connect(server.wsUrl);
    await device.enroll(code, newKeys);
    await device.next('welcome');
    expect((await dana.client.error('session-replaced')).code).toBe('session-replaced');
    const update = await eve.client.next('directory.user', (m) => m.user.id === 'k-dana');
    expect(update.user).toMatchObject({ displayName: 'Dana New', identityKey: toBase64Url(serializeIdentityKey(newKeys.publicKey)), presence: 'online' });
    // The old key no longer signs in.
    const old = await TestClient.connect(server.wsUrl);
    await old.auth('k-dana', dana.keys);
    expect((await old.error()).code).toBe('auth-failed');
    device.close();
    eve.client.close();
  });
});
