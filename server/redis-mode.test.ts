import { readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentityKeyPair, serializeIdentityKey } from '../shared/crypto/identity';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { hashInviteCode, newInviteCode } from './auth/invite-code';
import { RedisStore } from './store/redis-store';
import { SqliteStore } from './store/sqlite-store';
import { TestClient, removeDataDir, runCli, signIn, startServerProcess, tempDataDir, type ServerProcess } from './test-support/harness.fixture';
import { startRedis, type RedisProcess } from './test-support/redis-server.fixture';

/*
 * Several instances on one Redis store, with real processes: the servers started with --redis, the
 * admin CLI acting on the same Redis, and the one-time copy of a single instance's data directory.
 */

let redis: RedisProcess;
const servers: ServerProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) removeDataDir(dir);
  const store = await RedisStore.open(redis.url);
  await store.client.flushall();
  await store.close();
});

async function redisServer(): Promise<ServerProcess> {
  // An empty data dir of its own: proof that nothing is read from or written to SQLite.
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  const server = await startServerProcess({ dataDir, args: ['--redis', redis.url] });
  servers.push(server);
  return server;
}

async function inviteByCli(userId: string, extra: readonly string[] = []): Promise<string> {
  const result = await runCli(['invite', userId, '--name', `${userId} name`, '--redis', redis.url, ...extra]);
  expect(result.stderr).toBe(result.code === 0 ? result.stderr : '');
  expect(result.code).toBe(0);
  return new URL(result.stdout.trim()).searchParams.get('code') ?? '';
}

async function enrollThrough(server: ServerProcess, code: string) {
  const keys = await generateIdentityKeyPair();
  const client = await TestClient.connect(server.wsUrl);
  await client.enroll(code, keys);
  await client.next('welcome');
  return { keys, client };
}

describe('servers and the CLI on one Redis store', () => {
  it('invites, enrolls and lists through Redis, and a revocation cuts users on every instance', async () => {
    const one = await redisServer();
    const two = await redisServer();
    expect(await runCli(['list', '--redis', redis.url])).toMatchObject({ code: 0, stdout: expect.stringMatching(/No users yet/) as unknown });

    const alice = await enrollThrough(one, await inviteByCli('alice'));
    const bob = await enrollThrough(two, await inviteByCli('bob'));
    const carol = await enrollThrough(two, await inviteByCli('carol'));
    // Signing in again goes through the shared store's key.
    alice.client.close();
    const aliceAgain = await signIn(one, 'alice', alice.keys);

    const listed = await runCli(['list', '--json', '--redis', redis.url]);
    expect((JSON.parse(listed.stdout) as { users: { id: string; status: string }[] }).users.map((user) => [user.id, user.status])).toEqual([
      ['alice', 'active'],
      ['bob', 'active'],
      ['carol', 'active'],
    ]);

    expect(await runCli(['revoke', 'alice', '--redis', redis.url])).toMatchObject({ code: 0 });
    expect(await runCli(['revoke', 'bob', '--redis', redis.url])).toMatchObject({ code: 0 });
    expect((await aliceAgain.error('revoked')).code).toBe('revoked');
    expect((await bob.client.error('revoked')).code).toBe('revoked');
    // Not revoked, not cut: carol is still served by the instance that cut bob.
    carol.client.send({ v: PROTOCOL_VERSION, type: 'turn.request' });
    expect(await carol.client.next('turn.credentials')).toMatchObject({ iceServers: [] });
    carol.client.close();

    const refused = await TestClient.connect(two.wsUrl);
    await refused.auth('alice', alice.keys);
    expect((await refused.error()).code).toBe('revoked');
    // Nothing went to SQLite: the instances' data directories are still empty.
    expect([...readdirSync(one.dataDir), ...readdirSync(two.dataDir)]).toEqual([]);
  }, 120_000);

  it('refuses to start on a Redis that does not fsync every write', async () => {
    const lax = await startRedis(['--appendfsync', 'everysec']);
    try {
      const dataDir = tempDataDir();
      dirs.push(dataDir);
      await expect(startServerProcess({ dataDir, args: ['--redis', lax.url] })).rejects.toThrow(/appendfsync everysec/);
      const admitted = await startServerProcess({ dataDir, args: ['--redis', lax.url, '--redis-persistence-checked-by-admin'] });
      servers.push(admitted);
      expect(await (await fetch(`${admitted.httpUrl}/healthz`)).json()).toMatchObject({ status: 'ok', database: { status: 'ok', store: 'redis' } });
      await admitted.stop();
    } finally {
      await lax.stop();
    }
  }, 60_000);

  it('refuses --redis-persistence-checked-by-admin without --redis, and a URL that is not Redis', async () => {
    expect(await runCli(['list', '--redis-persistence-checked-by-admin'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/goes with --redis URL/) as unknown });
    expect(await runCli(['list', '--redis', 'http://127.0.0.1:1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/redis:\/\//) as unknown });
  }, 60_000);
});

describe('migrate-to-redis', () => {
  it('copies a data directory into an empty Redis store once, and the users sign in through Redis', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const sqlite = SqliteStore.open(dataDir);
    const keys = await generateIdentityKeyPair();
    const now = Date.now();
    const enrol = async (userId: string, identityKey: Uint8Array) => {
      const codeHash = hashInviteCode(newInviteCode());
      await sqlite.createInvite({ userId, displayName: `${userId} name`, codeHash, expiresAt: now + 3_600_000, reinstate: false });
      return sqlite.redeemInvite({ codeHash, identityKey, deviceName: 'laptop', keyFingerprint: 'ff' });
    };
    await enrol('alice', serializeIdentityKey(keys.publicKey));
    await enrol('bob', new Uint8Array(33).fill(7));
    await enrol('bob', new Uint8Array(33).fill(8));
    await sqlite.revokeUser('bob', 'left', now);
    const pendingCode = newInviteCode();
    await sqlite.createInvite({ userId: 'dora', displayName: 'Dora', codeHash: hashInviteCode(pendingCode), expiresAt: now + 3_600_000, reinstate: false });
    await sqlite.writeSetting('public_url', 'wss://calls.example.com/ws');
    const before = { users: await sqlite.allUsers(), snapshot: await sqlite.directoryChangesAfter(0), audit: await sqlite.readAudit(), invites: await sqlite.pendingInvites() };
    await sqlite.close();

    const copied = await runCli(['migrate-to-redis', '--data-dir', dataDir, '--redis', redis.url]);
    expect(copied).toMatchObject({ code: 0, stdout: expect.stringMatching(/Copied 2 users and 4 invites/) as unknown });

    const store = await RedisStore.open(redis.url);
    try {
      expect(await store.allUsers()).toEqual(before.users);
      expect(await store.directoryChangesAfter(0)).toEqual(before.snapshot);
      expect(await store.readAudit()).toEqual(before.audit);
      expect(await store.pendingInvites()).toEqual(before.invites);
      expect(await store.readSetting('public_url')).toBe('wss://calls.example.com/ws');
      // The store goes on from where SQLite stopped: the next audit id and directory version follow.
      await store.appendAudit('server', 'user.reinstated', 'x');
      expect((await store.readAudit(1))[0]?.id).toBe(Math.max(...before.audit.map((entry) => entry.id)) + 1);
    } finally {
      await store.close();
    }

    const server = await redisServer();
    (await signIn(server, 'alice', keys)).close();
    const dora = await enrollThrough(server, pendingCode);
    dora.client.close();

    const again = await runCli(['migrate-to-redis', '--data-dir', dataDir, '--redis', redis.url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already in use: nothing was copied/);
  }, 120_000);

  it('needs --redis', async () => {
    expect(await runCli(['migrate-to-redis', '--data-dir', tempDataDir()])).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs --redis URL/) as unknown });
  });
  it('offers group calls and KeyPackages: nothing is answered unsupported', async () => {
    const server = await redisServer();
    const { client } = await enrollThrough(server, await inviteByCli('alice'));
    const v = PROTOCOL_VERSION;
    client.send({ v, type: 'keys.publish', packages: ['AAAA'], lastResort: 'AAAA', id: 'k' });
    expect(await client.next('keys.published')).toMatchObject({ oneTime: 1 });
    client.send({ v, type: 'group.join', groupId: 'GGGGGGGGGGGGGGGGGGGGGG', id: 'j' });
    expect(await client.error('not-a-member')).toMatchObject({ ref: 'j', groupId: 'GGGGGGGGGGGGGGGGGGGGGG' });
    client.send({ v, type: 'turn.request' });
    await client.next('turn.credentials');
    expect(client.received.some((m) => m.type === 'error' && m.code === 'unsupported')).toBe(false);
  });
});
