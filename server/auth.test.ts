import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey, type IdentityKeyPair } from '../shared/crypto/identity';
import { signAuthChallenge } from '../shared/crypto/server-auth';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { TestClient, enrollUser, inviteDirect, removeDataDir, signIn, startServerProcess, type ServerProcess } from './test-support/harness.fixture';

const v = PROTOCOL_VERSION;
let server: ServerProcess;
let alice: { keys: IdentityKeyPair };

beforeAll(async () => {
  server = await startServerProcess();
  const enrolled = await enrollUser(server, 'alice', 'Alice Example');
  enrolled.client.close();
  alice = enrolled;
});

afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
});

/** Expects the server to answer with `code`, then close the socket with a policy or other error. */
async function refusedWith(client: TestClient, code: string) {
  const error = await client.error();
  expect(error.code).toBe(code);
  const closed = await client.closed;
  expect(closed.code).not.toBe(1000);
  return { error, closed };
}

describe('the challenge', () => {
  it('opens every socket with a fresh 32-byte nonce and the public URL', async () => {
    const [a, b] = await Promise.all([TestClient.connect(server.wsUrl), TestClient.connect(server.wsUrl)]);
    expect(a.hello.serverUrl).toBe(server.wsUrl);
    expect(a.nonce).toHaveLength(32);
    expect(a.hello.nonce).not.toBe(b.hello.nonce);
    a.close();
    b.close();
  });
});

describe('enrollment', () => {
  it('enrols a device with a one-time code, and lists it in the directory it then syncs', async () => {
    const code = inviteDirect(server.dataDir, 'bob', 'Bob Example');
    const keys = await generateIdentityKeyPair();
    const client = await TestClient.connect(server.wsUrl);
    await client.enroll(code, keys, 'Bob’s laptop');
    expect(await client.next('welcome')).toMatchObject({ userId: 'bob', displayName: 'Bob Example' });
    const directory = await client.sync();
    expect(directory.full).toBe(true);
    expect(directory.users.map((user) => user.id)).toContain('alice');
    expect(directory.users.find((user) => user.id === 'bob')?.identityKey).toBe(toBase64Url(serializeIdentityKey(keys.publicKey)));
    client.close();
    // The same device can now sign in.
    (await signIn(server, 'bob', keys)).close();
  });

  it('refuses a code that was already used', async () => {
    const code = inviteDirect(server.dataDir, 'carol', 'Carol');
    const first = await TestClient.connect(server.wsUrl);
    await first.enroll(code, await generateIdentityKeyPair());
    await first.next('welcome');
    const second = await TestClient.connect(server.wsUrl);
    await second.enroll(code, await generateIdentityKeyPair());
    await refusedWith(second, 'invite-used');
    first.close();
  });

  it('refuses an expired code', async () => {
    const code = inviteDirect(server.dataDir, 'dave', 'Dave', 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const client = await TestClient.connect(server.wsUrl);
    await client.enroll(code, await generateIdentityKeyPair());
    await refusedWith(client, 'invite-expired');
  });

  it('refuses an unknown code', async () => {
    const client = await TestClient.connect(server.wsUrl);
    await client.enroll(toBase64Url(new Uint8Array(32).fill(3)), await generateIdentityKeyPair());
    await refusedWith(client, 'invite-invalid');
  });

  it('refuses a key the device cannot sign with, and leaves the code valid', async () => {
    const code = inviteDirect(server.dataDir, 'erin', 'Erin');
    const claimed = await generateIdentityKeyPair();
    const actual = await generateIdentityKeyPair();
    const client = await TestClient.connect(server.wsUrl);
    // Registers `claimed` but signs with `actual`.
    const { signEnrollChallenge } = await import('../shared/crypto/server-auth');
    const signature = await signEnrollChallenge(actual.secretKey, client.hello.serverUrl, client.nonce);
    client.send({ v, type: 'enroll', code, identityKey: toBase64Url(serializeIdentityKey(claimed.publicKey)), deviceName: 'x', signature: toBase64Url(signature) });
    await refusedWith(client, 'auth-failed');
    const retry = await TestClient.connect(server.wsUrl);
    await retry.enroll(code, actual);
    expect(await retry.next('welcome')).toMatchObject({ userId: 'erin' });
    retry.close();
  });
});

describe('authentication', () => {
  it('accepts a signature over this socket’s challenge', async () => {
    const client = await signIn(server, 'alice', alice.keys);
    client.close();
  });

  it('refuses a signature by the wrong key', async () => {
    const client = await TestClient.connect(server.wsUrl);
    await client.auth('alice', await generateIdentityKeyPair(), 'r-1');
    const { error } = await refusedWith(client, 'auth-failed');
    expect(error.ref).toBe('r-1');
  });

  it('refuses an unknown user', async () => {
    const client = await TestClient.connect(server.wsUrl);
    await client.auth('mallory', await generateIdentityKeyPair());
    await refusedWith(client, 'unknown-user');
  });

  it('refuses a challenge response replayed on another socket', async () => {
    const first = await TestClient.connect(server.wsUrl);
    const signature = toBase64Url(await signAuthChallenge(alice.keys.secretKey, first.hello.serverUrl, 'alice', first.nonce));
    const answer = { v, type: 'auth', userId: 'alice', signature };
    first.send(answer);
    await first.next('welcome');
    const second = await TestClient.connect(server.wsUrl);
    second.send(answer);
    await refusedWith(second, 'auth-failed');
    first.close();
  });

  it('refuses a second answer to the same challenge', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const signature = toBase64Url(await signAuthChallenge(alice.keys.secretKey, client.hello.serverUrl, 'alice', client.nonce));
    client.send({ v, type: 'auth', userId: 'alice', signature });
    await client.next('welcome');
    client.send({ v, type: 'auth', userId: 'alice', signature, id: 'again' });
    expect(await client.error('nonce-reused')).toMatchObject({ ref: 'again' });
    client.close();
  });

  it('refuses a pipelined second answer, whether or not the first was checked yet', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const signature = toBase64Url(await signAuthChallenge(alice.keys.secretKey, client.hello.serverUrl, 'alice', client.nonce));
    client.send({ v, type: 'auth', userId: 'alice', signature });
    client.send({ v, type: 'auth', userId: 'alice', signature });
    expect((await client.error()).code).toBe('nonce-reused');
    client.close();
  });

  it('refuses a signature made for another server URL', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const signature = toBase64Url(await signAuthChallenge(alice.keys.secretKey, 'wss://other.example/ws', 'alice', client.nonce));
    client.send({ v, type: 'auth', userId: 'alice', signature });
    await refusedWith(client, 'auth-failed');
  });

  it('refuses every other message before authentication, then closes', async () => {
    for (const message of [
      { v, type: 'directory.sync', id: 'd1' },
      { v, type: 'presence.subscribe', add: ['alice'], remove: [] },
      { v, type: 'turn.request' },
      { v, type: 'call.cancel', callId: 'AAAAAAAAAAAAAAAAAAAAAA', to: 'alice' },
    ]) {
      const client = await TestClient.connect(server.wsUrl);
      client.send(message);
      const { closed } = await refusedWith(client, 'not-authenticated');
      expect(closed.code).toBe(1008);
    }
  });

  it('refuses a malformed message before authentication, then closes', async () => {
    const client = await TestClient.connect(server.wsUrl);
    client.send('{"v":2,"type":"auth","userId":"Alice"}');
    const { error } = await refusedWith(client, 'bad-message');
    expect(error.message).toMatch(/userId/);
  });

  it('closes a socket that does not authenticate in time', async () => {
    const client = await TestClient.connect(server.wsUrl);
    const started = Date.now();
    await refusedWith(client, 'auth-timeout');
    expect(Date.now() - started).toBeGreaterThan(1500);
  });

  it('replaces an older session of the same user', async () => {
    const older = await signIn(server, 'alice', alice.keys);
    const newer = await signIn(server, 'alice', alice.keys);
    expect((await older.error('session-replaced')).code).toBe('session-replaced');
    expect((await older.closed).code).toBe(1008);
    newer.close();
  });
});
