import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseServerMessage, PROTOCOL_VERSION, relayedFrom, type OutgoingCallMessage, type ServerMessage } from '../../shared/protocol';
import { silentLogger } from '../log/logger';
import { redisMissingReason, startRedis, type RedisProcess } from '../test-support/redis-server.fixture';
import { ClusterNode } from './cluster-node';

/*
 * Two instances (ClusterNodes) on one real redis-server: alice's session on A, bob's on B. What
 * one instance relays to a session on the other is published by the relay script itself and
 * arrives as the text the sender's instance serialised (see relay-lua.ts).
 */

const v = PROTOCOL_VERSION;
const callId = 'XXXXXXXXXXXXXXXXXXXXXX';
const ake = { commitment: 'A'.repeat(43), signature: 'A'.repeat(86) };
const reveal = { ephemeralKey: 'A'.repeat(43), fingerprint: 'sha-256 AB', signature: 'A'.repeat(86) };
const invite: Extract<OutgoingCallMessage, { type: 'call.invite' }> = { v, type: 'call.invite', callId, to: 'bob', media: { audio: true, video: false }, ake };
const accept: OutgoingCallMessage = { v, type: 'call.accept', callId, to: 'alice', media: { audio: true, video: false }, ake: reveal };
const signal = (to: string, sdp: string): OutgoingCallMessage => ({ v, type: 'call.signal', callId, to, data: { type: 'offer', sdp } });
const hangup = (to: string): OutgoingCallMessage => ({ v, type: 'call.hangup', callId, to, reason: 'hangup' });

interface Instance {
  node: ClusterNode;
  /** Every text a session on this instance was sent, with its recipient; objects are serialised the way a socket would. */
  sent: [string, string][];
  tokens: Map<string, string>;
}

async function instance(url: string): Promise<Instance> {
  const node = await ClusterNode.join({ url, inviteTimeoutMs: 60_000, graceMs: 60_000, heartbeatTtlMs: 60_000, logger: silentLogger });
  const sent: [string, string][] = [];
  const tokens = new Map<string, string>();
  node.attach({
    deliverLocal: (userId, message) => { if (tokens.has(userId)) sent.push([userId, JSON.stringify(message)]); },
    deliverLocalText: (userId, text) => { if (tokens.has(userId)) sent.push([userId, text]); },
    endReplaced: () => undefined,
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

/** One command on a connection of the test's own, closed after. */
async function command<T>(url: string, run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url);
  try {
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (;;) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (expect.getState().currentTestName === undefined) throw new Error(`gave up waiting for ${what}`);
  }
}

const missing = redisMissingReason();

describe.skipIf(missing !== undefined)('relaying between two instances', () => {
  let redis: RedisProcess;
  let a: Instance;
  let b: Instance;
  const textsTo = (at: Instance, userId: string) => at.sent.filter(([recipient]) => recipient === userId).map(([, text]) => text);
  const messagesTo = (at: Instance, userId: string): ServerMessage[] => textsTo(at, userId).map((text) => parseServerMessage(JSON.parse(text)));

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(async () => {
    await command(redis.url, (connection) => connection.flushall());
    a = await instance(redis.url);
    b = await instance(redis.url);
    await signIn(a, 'alice');
    await signIn(b, 'bob');
  });
  afterEach(async () => {
    await Promise.all([a.node.leave(), b.node.leave()]);
  });

  async function activeCall(): Promise<void> {
    expect(await a.node.relay.handle('alice', invite)).toBeUndefined();
    await until(() => textsTo(b, 'bob').length === 1, 'the invite on B');
    expect(await b.node.relay.handle('bob', accept)).toBeUndefined();
    await until(() => textsTo(a, 'alice').length === 1, 'the accept on A');
  }

  it('delivers on the other instance exactly the text the sender\'s instance serialised, in the order sent, and nothing on its own', async () => {
    await activeCall();
    expect(textsTo(b, 'bob')[0]).toBe(JSON.stringify(relayedFrom(invite, 'alice')));
    for (let n = 0; n < 30; n += 1) expect(await a.node.relay.handle('alice', signal('bob', `v=${String(n)}`))).toBeUndefined();
    await until(() => textsTo(b, 'bob').length === 31, 'thirty signals on B');
    expect(messagesTo(b, 'bob').slice(1)).toMatchObject(Array.from({ length: 30 }, (_, n) => ({ type: 'call.signal', from: 'alice', data: { sdp: `v=${String(n)}` } })));
    expect(textsTo(a, 'bob')).toEqual([]);
    expect(textsTo(b, 'alice')).toEqual([]);
  });

  it('takes one Redis command from the sender\'s instance for a relayed signal: the script publishes it', async () => {
    await activeCall();
    const monitor = await new Redis(redis.url).monitor();
    const seen: { source: string; command: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => { seen.push({ source, command: (args[0] ?? '').toLowerCase() }); });
    try {
      // A command from this test's own connection marks where the signal's commands begin.
      await command(redis.url, (connection) => connection.echo('mark'));
      await until(() => seen.some((entry) => entry.command === 'echo'), 'the mark');
      expect(await a.node.relay.handle('alice', signal('bob', 'counted'))).toBeUndefined();
      await until(() => textsTo(b, 'bob').length === 2, 'the signal on B');
      const after = seen.slice(seen.findIndex((entry) => entry.command === 'echo') + 1);
      // Heartbeats and sweeps may run meanwhile; what matters is how the signal travelled.
      const relayCommands = after.filter((entry) => ['evalsha', 'eval', 'publish'].includes(entry.command));
      expect(relayCommands.map((entry) => `${entry.source === 'lua' ? 'script' : 'client'} ${entry.command}`)).toEqual(['client evalsha', 'script publish']);
    } finally {
      monitor.disconnect();
    }
  });

  it('refuses a signal sent through one instance after the call ended through the other', async () => {
    await activeCall();
    expect(await b.node.relay.handle('bob', hangup('alice'))).toBeUndefined();
    await until(() => messagesTo(a, 'alice').some((message) => message.type === 'call.hangup'), 'the hang-up on A');
    expect(await a.node.relay.handle('alice', signal('bob', 'late'))).toMatchObject({ code: 'not-in-call' });
    expect(messagesTo(b, 'bob').filter((message) => message.type === 'call.signal')).toEqual([]);
  });

  it('sends a call.ended that a script wrote for a session on another instance as a valid protocol message', async () => {
    await activeCall();
    // Bob is revoked on B: B's script ends the call and writes alice's call.ended itself.
    await b.node.sessionEnded('bob', b.tokens.get('bob') ?? '', 'peer-revoked');
    await until(() => textsTo(a, 'alice').length === 2, 'call.ended on A');
    expect(messagesTo(a, 'alice')[1]).toEqual({ v, type: 'call.ended', callId, reason: 'peer-revoked' });
  });
});
