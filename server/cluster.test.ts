import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { RedisStore } from './store/redis-store';
import type { TestClient} from './test-support/harness.fixture';
import { enrollThroughStore, randomCallId, removeDataDir, runCli, signIn, startServerProcess, tempDataDir, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';
import { redisMissingReason, startRedis, type RedisProcess } from './test-support/redis-server.fixture';

/*
 * Two real server processes in cluster mode over a real redis-server: whatever instance each user
 * landed on, calls, busy answers, session replacement and revocation behave as on one server, and
 * when an instance dies its users and calls are taken over by the other.
 */

const v = PROTOCOL_VERSION;
const b64 = (length: number) => toBase64Url(new Uint8Array(length).fill(5));
const reveal = { ephemeralKey: b64(32), fingerprint: `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`, signature: b64(64) };
const invite = (callId: string, to: string) => ({ v, type: 'call.invite', callId, to, media: { audio: true, video: true }, ake: { commitment: b64(32), signature: b64(64) } });
const signal = (callId: string, to: string, sdp: string) => ({ v, type: 'call.signal', callId, to, data: { type: 'offer', sdp } });

const missing = redisMissingReason();
let redis: RedisProcess;
/** The admin's view of the shared store, for invites without a CLI process each. */
let store: RedisStore;
const dataDirs: string[] = [];
let a: ServerProcess;
let b: ServerProcess;
let names = 0;

/** An instance on the shared Redis store, with an empty data directory of its own that it does not use. */
function startInstance(): Promise<ServerProcess> {
  const dataDir = tempDataDir();
  dataDirs.push(dataDir);
  return startServerProcess({ dataDir, args: ['--redis', redis.url, '--instance-ttl', '1500ms'] });
}

beforeAll(async () => {
  if (missing !== undefined) return;
  redis = await startRedis();
  store = await RedisStore.open(redis.url);
  a = await startInstance();
  b = await startInstance();
}, 60_000);

afterAll(async () => {
  if (missing !== undefined) return;
  for (const instance of [a as ServerProcess | undefined, b as ServerProcess | undefined]) await instance?.stop();
  await (store as RedisStore | undefined)?.close();
  await (redis as RedisProcess | undefined)?.stop();
  for (const dataDir of dataDirs) removeDataDir(dataDir);
}, 60_000);

/**
 * A new user enrolled on `server`: each of `watchers` (on either instance) is told about them and
 * follows their presence, and they follow the watchers'.
 */
async function user(server: ServerProcess, watchers: readonly EnrolledUser[] = []): Promise<EnrolledUser> {
  names += 1;
  const enrolled = await enrollThroughStore(store, server, `user${names}`);
  for (const watcher of watchers) {
    await watcher.client.next('directory.user', (message) => message.user.id === enrolled.userId);
    await watcher.client.subscribe([enrolled.userId]);
  }
  if (watchers.length > 0) await enrolled.client.subscribe(watchers.map((watcher) => watcher.userId));
  return enrolled;
}

async function activeCall(caller: EnrolledUser, callee: EnrolledUser): Promise<string> {
  const callId = randomCallId();
  caller.client.send(invite(callId, callee.userId));
  expect(await callee.client.next('call.invite')).toMatchObject({ callId, from: caller.userId });
  callee.client.send({ v, type: 'call.accept', callId, to: caller.userId, media: { audio: true, video: false }, ake: reveal });
  expect(await caller.client.next('call.accept')).toMatchObject({ callId, from: callee.userId });
  return callId;
}

describe.skipIf(missing !== undefined)('two instances over Redis', () => {
  it('relays a whole call between users on different instances, in order, and ends it on hang-up', async () => {
    const alice = await user(a);
    const bob = await user(b, [alice]);
    const callId = await activeCall(alice, bob);
    alice.client.send({ v, type: 'call.confirm', callId, to: bob.userId, ake: reveal });
    expect(await bob.client.next('call.confirm')).toMatchObject({ callId, from: alice.userId });
    for (let n = 0; n < 30; n += 1) alice.client.send(signal(callId, bob.userId, `v=${n}`));
    const signals = [];
    for (let n = 0; n < 30; n += 1) signals.push(await bob.client.next('call.signal'));
    expect(signals).toMatchObject(Array.from({ length: 30 }, (_, n) => ({ data: { sdp: `v=${n}` } })));
    expect(await alice.client.next('presence', (m) => m.userId === bob.userId && m.presence === 'busy')).toBeDefined();
    alice.client.send({ v, type: 'call.hangup', callId, to: bob.userId, reason: 'hangup' });
    expect(await bob.client.next('call.hangup')).toMatchObject({ callId, from: alice.userId });
    expect(await alice.client.next('presence', (m) => m.userId === bob.userId && m.presence === 'online')).toBeDefined();
  });

  it('answers busy for a callee in a call on another instance, and offline for one connected nowhere', async () => {
    const alice = await user(a);
    const bob = await user(b, [alice]);
    const carol = await user(a, [alice, bob]);
    await activeCall(alice, bob);
    const second = randomCallId();
    carol.client.send(invite(second, bob.userId));
    expect(await carol.client.next('call.busy')).toMatchObject({ callId: second, from: bob.userId });
    expect(await bob.client.nothing('call.invite')).toBe(true);
    bob.client.close();
    await carol.client.next('presence', (m) => m.userId === bob.userId && m.presence === 'offline');
    carol.client.send({ ...invite(randomCallId(), bob.userId), id: 'to-offline' });
    expect(await carol.client.error('user-offline')).toMatchObject({ ref: 'to-offline' });
  });

  it('ends the older session on one instance when the user signs in on the other', async () => {
    const alice = await user(a);
    const watcher = await user(b, [alice]);
    const onB = await signIn(b, alice.userId, alice.keys);
    expect((await alice.client.error('session-replaced')).code).toBe('session-replaced');
    expect((await alice.client.closed).code).toBe(1008);
    const callId = randomCallId();
    watcher.client.send(invite(callId, alice.userId));
    expect(await onB.next('call.invite')).toMatchObject({ callId, from: watcher.userId });
    // Online all along: the new session took over, and no one was told otherwise.
    expect(watcher.client.received.some((m) => m.type === 'presence' && m.userId === alice.userId && m.presence === 'offline')).toBe(false);
  });

  it('cuts a revoked user on one instance and ends their call for the peer on the other', async () => {
    const alice = await user(a);
    const bob = await user(b, [alice]);
    const callId = await activeCall(alice, bob);
    const result = await runCli(['revoke', alice.userId, '--redis', redis.url]);
    expect(result).toMatchObject({ code: 0 });
    expect((await alice.client.error('revoked')).code).toBe('revoked');
    expect(await bob.client.next('call.ended')).toMatchObject({ callId, reason: 'peer-revoked' });
    expect(await bob.client.next('directory.removed')).toMatchObject({ userId: alice.userId });
  });
});

describe.skipIf(missing !== undefined)('an instance dies', () => {
  it('reaps its users, and a call resumes on the survivor, its state intact in Redis', async () => {
    const alice = await user(a);
    const bob = await user(b, [alice]);
    const carol = await user(a, [alice, bob]);
    const dave = await user(b, [alice, bob, carol]);
    const callId = await activeCall(alice, bob);
    const stuck = await activeCall(carol, dave);
    await a.stop('SIGKILL');
    let alicesNew: TestClient | undefined;
    try {
      // Alice comes back on the survivor and claims her call again: it goes on.
      alicesNew = await signIn(b, alice.userId, alice.keys);
      alicesNew.send({ v, type: 'call.resume', callId, to: bob.userId, role: 'caller' });
      alicesNew.send(signal(callId, bob.userId, 'after the failover'));
      expect(await bob.client.next('call.signal')).toMatchObject({ callId, from: alice.userId, data: { sdp: 'after the failover' } });
      // Carol does not come back: once the survivor reaps the dead instance, she is offline, and
      // her call ends for Dave when its grace runs out.
      expect(await dave.client.next('presence', (m) => m.userId === carol.userId && m.presence === 'offline', 10_000)).toBeDefined();
      expect(await dave.client.next('call.ended', () => true, 10_000)).toMatchObject({ callId: stuck, reason: 'peer-disconnected' });
      // Alice stayed online throughout for Bob, and her call was not ended by the reaper.
      expect(bob.client.received.some((m) => m.type === 'presence' && m.userId === alice.userId && m.presence === 'offline')).toBe(false);
      expect(bob.client.received.some((m) => m.type === 'call.ended' && m.callId === callId)).toBe(false);
      bob.client.send({ v, type: 'call.hangup', callId, to: alice.userId, reason: 'hangup' });
      expect(await alicesNew.next('call.hangup')).toMatchObject({ callId, from: bob.userId });
    } finally {
      alicesNew?.close();
      a = await startInstance();
    }
  });
});

describe.skipIf(missing !== undefined)('both parties of a call on the instance that dies', () => {
  it('come back on the survivor and each sees the other busy, in the call', async () => {
    const alice = await user(a);
    const bob = await user(a, [alice]);
    const callId = await activeCall(alice, bob);
    await a.stop('SIGKILL');
    let alicesNew: TestClient | undefined;
    let bobsNew: TestClient | undefined;
    try {
      alicesNew = await signIn(b, alice.userId, alice.keys);
      bobsNew = await signIn(b, bob.userId, bob.keys);
      alicesNew.send({ v, type: 'call.resume', callId, to: bob.userId, role: 'caller' });
      bobsNew.send({ v, type: 'call.resume', callId, to: alice.userId, role: 'callee' });
      // Busy at once, or as soon as the claims' presence reaches this instance.
      for (const [client, other] of [[alicesNew, bob.userId], [bobsNew, alice.userId]] as const) {
        const [seen] = (await client.subscribe([other])).users;
        if (seen?.presence !== 'busy') await client.next('presence', (m) => m.userId === other && m.presence === 'busy');
      }
      alicesNew.send(signal(callId, bob.userId, 'after the failover'));
      expect(await bobsNew.next('call.signal')).toMatchObject({ callId, from: alice.userId });
      // Neither was told the call ended: each had its own grace while both were away.
      expect([...alicesNew.received, ...bobsNew.received].some((m) => m.type === 'call.ended')).toBe(false);
    } finally {
      alicesNew?.close();
      bobsNew?.close();
      a = await startInstance();
    }
  });
});

describe.skipIf(missing !== undefined)('a party whose instance died comes back after the reaping', () => {
  it('shows offline, then busy again once back and resumed, and the call goes on', async () => {
    const alice = await user(a);
    const bob = await user(b, [alice]);
    const callId = await activeCall(alice, bob);
    await bob.client.next('presence', (m) => m.userId === alice.userId && m.presence === 'busy');
    await a.stop('SIGKILL');
    let alicesNew: TestClient | undefined;
    try {
      expect(await bob.client.next('presence', (m) => m.userId === alice.userId && m.presence === 'offline', 10_000)).toBeDefined();
      alicesNew = await signIn(b, alice.userId, alice.keys);
      alicesNew.send({ v, type: 'call.resume', callId, to: bob.userId, role: 'caller' });
      expect(await bob.client.next('presence', (m) => m.userId === alice.userId && m.presence === 'busy')).toBeDefined();
      alicesNew.send(signal(callId, bob.userId, 'after the reaping'));
      expect(await bob.client.next('call.signal')).toMatchObject({ callId, from: alice.userId });
      expect(bob.client.received.some((m) => m.type === 'call.ended')).toBe(false);
    } finally {
      alicesNew?.close();
      a = await startInstance();
    }
  });
});

describe.skipIf(missing !== undefined)('an instance stalls past its heartbeat', () => {
  it('is reaped by the other, and when it runs again it sends its clients to reconnect rather than keep sessions no one routes to', async () => {
    const alice = await user(a);
    const bob = await user(b, [alice]);
    a.child.kill('SIGSTOP');
    try {
      expect(await bob.client.next('presence', (m) => m.userId === alice.userId && m.presence === 'offline', 10_000)).toBeDefined();
    } finally {
      a.child.kill('SIGCONT');
    }
    expect((await alice.client.error('shutting-down', 10_000)).code).toBe('shutting-down');
    await alice.client.closed;
    const again = await signIn(a, alice.userId, alice.keys);
    expect(await bob.client.next('presence', (m) => m.userId === alice.userId && m.presence === 'online')).toBeDefined();
    again.close();
  });
});

describe.skipIf(missing !== undefined)('health', () => {
  it('reports Redis in /healthz, and unhealthy without it, so the balancer sends no one to an instance that cannot route', async () => {
    const up = await fetch(`${b.httpUrl}/healthz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok', database: { status: 'ok', store: 'redis' } });
    await redis.stop();
    await expect.poll(async () => (await fetch(`${b.httpUrl}/healthz`)).status).toBe(503);
    expect(await (await fetch(`${b.httpUrl}/healthz`)).json()).toMatchObject({ status: 'error', database: { status: 'unavailable', store: 'redis' } });
  });
});
