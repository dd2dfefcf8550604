import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../shared/crypto/bytes';
import { parseServerMessage, PROTOCOL_VERSION, type ServerMessage } from '../../shared/protocol';
import { silentLogger } from '../log/logger';
import { redisMissingReason, startRedis, type RedisProcess } from '../test-support/redis-server.fixture';
import { ClusterNode } from './cluster-node';

/*
 * Two instances (ClusterNodes) on one real redis-server, driven step by step where the server
 * processes of group-cluster.test.ts cannot be: alice's session on A, bob's on B.
 */

const v = PROTOCOL_VERSION;
const groupId = 'GGGGGGGGGGGGGGGGGGGGGG';
const bytes = (length: number, fill: number) => toBase64Url(new Uint8Array(length).fill(fill));

interface Instance {
  node: ClusterNode;
  sent: [string, ServerMessage][];
  tokens: Map<string, string>;
}

async function instance(url: string): Promise<Instance> {
  const node = await ClusterNode.join({ url, inviteTimeoutMs: 60_000, graceMs: 60_000, heartbeatTtlMs: 60_000, logger: silentLogger });
  const sent: [string, ServerMessage][] = [];
  const tokens = new Map<string, string>();
  node.attach({
    deliverLocal: (userId, message) => { if (tokens.has(userId)) sent.push([userId, message]); },
    deliverLocalText: (userId, text) => { if (tokens.has(userId)) sent.push([userId, parseServerMessage(JSON.parse(text))]); },
    endReplaced: (userId, token) => { if (tokens.get(userId) === token) tokens.delete(userId); },
    presenceChanged: () => undefined,
    directoryMoved: () => undefined,
    dropAll: () => undefined,
    isKnown: (userId) => ['alice', 'bob'].includes(userId),
    tokenOf: (userId) => tokens.get(userId),
  });
  return { node, sent, tokens };
}

async function signIn(at: Instance, userId: string): Promise<void> {
  const token = at.node.newToken();
  at.tokens.set(userId, token);
  await at.node.sessionStarted(userId, token, false);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (;;) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (expect.getState().currentTestName === undefined) throw new Error(`gave up waiting for ${what}`);
  }
}

const missing = redisMissingReason();

describe.skipIf(missing !== undefined)('group calls between two instances, step by step', () => {
  let redis: RedisProcess;
  let a: Instance;
  let b: Instance;
  const typesTo = (at: Instance, userId: string) => at.sent.filter(([recipient]) => recipient === userId).map(([, message]) => message.type);

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(async () => {
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    a = await instance(redis.url);
    b = await instance(redis.url);
    await signIn(a, 'alice');
    await signIn(b, 'bob');
  });
  afterEach(async () => {
    await Promise.all([a.node.leave(), b.node.leave()]);
  });

  it('keeps a commit for a member whose session was released before its grace started, and hands it over when it is back', async () => {
    b.node.groups.ringPending('bob');
    const admin = new Redis(redis.url);
    try {
      for (let ringable = false; !ringable; ringable = (await admin.hget('sealcall:ringable', 'bob')) !== null) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      admin.disconnect();
    }
    expect(await a.node.groups.handle('alice', { v, type: 'group.create', groupId, media: { audio: true, video: false }, invitees: ['bob'], invite: bytes(20, 1), signature: bytes(64, 2) })).toBeUndefined();
    await until(() => typesTo(b, 'bob').includes('group.invite'), 'the ring on B');
    expect(await b.node.groups.handle('bob', { v, type: 'group.join', groupId })).toBeUndefined();
    // Bob's session is released on B, and nothing has yet told the group he is away.
    await b.node.sessionEnded('bob', b.tokens.get('bob') ?? '', 'peer-disconnected');
    b.tokens.delete('bob');
    expect(await a.node.groups.handle('alice', { v, type: 'group.commit', groupId, epoch: 0, commit: bytes(30, 3) })).toBeUndefined();
    // Back, on A.
    await signIn(a, 'bob');
    expect(await a.node.groups.handle('bob', { v, type: 'group.join', groupId })).toBeUndefined();
    expect(typesTo(a, 'bob')).toEqual(['group.committed', 'group.joined']);
    expect(a.sent.filter(([recipient]) => recipient === 'bob').map(([, message]) => message)[1]).toMatchObject({ epoch: 1, members: ['alice', 'bob'] });
  });
});
