import fc from 'fast-check';
import { WebSocket } from 'ws';
import { fromBase64Url, toBase64Url } from '../../shared/crypto/bytes';
import type { IdentityKeyPair } from '../../shared/crypto/identity';
import { signAuthChallenge } from '../../shared/crypto/server-auth';
import { PROTOCOL_VERSION, clientMessageTypes, parseServerMessage, subprotocolFor } from '../../shared/protocol';

/*
 * A hostile client for fuzzing a real server: random bytes, broken JSON, right envelopes with
 * wrong contents, deep nesting, oversized frames and floods, optionally after authenticating as
 * an enrolled user. Used by server/fuzz.test.ts and by the e2e test that fuzzes during a call.
 */

const v = PROTOCOL_VERSION;

export type Frame = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array };

export interface HostileSession {
  authenticate: boolean;
  frames: Frame[];
  flood: number;
}

const knownType = fc.constantFrom(...clientMessageTypes);

/** `maxMessageBytes`: the server's limit, so that some frames land just over it. */
export function hostileFrame(maxMessageBytes: number, victim: string): fc.Arbitrary<Frame> {
  return fc.oneof(
    // Random bytes, as binary and as (often invalid UTF-8) text.
    fc.uint8Array({ maxLength: 512 }).map((data): Frame => ({ kind: 'binary', data })),
    fc.string({ maxLength: 512 }).map((data): Frame => ({ kind: 'text', data })),
    // Broken JSON: a valid message cut short.
    fc.tuple(fc.jsonValue(), fc.nat()).map(([value, cut]): Frame => {
      const text = JSON.stringify({ v, type: 'call.invite', value });
      return { kind: 'text', data: text.slice(0, cut % Math.max(1, text.length)) };
    }),
    // Right envelope, wrong contents.
    fc
      .record(
        { v: fc.oneof(fc.constant(v), fc.jsonValue()), type: fc.oneof(knownType, fc.string()), to: fc.oneof(fc.constant(victim), fc.string()), callId: fc.string(), data: fc.jsonValue(), media: fc.jsonValue(), ake: fc.jsonValue() },
        { requiredKeys: ['type'] },
      )
      .map((value): Frame => ({ kind: 'text', data: JSON.stringify(value) })),
    fc.jsonValue({ maxDepth: 6 }).map((value): Frame => ({ kind: 'text', data: JSON.stringify(value) })),
    // Deep nesting and oversized frames.
    fc.integer({ min: 1000, max: 8000 }).map((depth): Frame => ({ kind: 'text', data: `${'['.repeat(depth)}${']'.repeat(depth)}` })),
    fc.integer({ min: maxMessageBytes + 1, max: maxMessageBytes * 3 }).map((size): Frame => ({ kind: 'text', data: `{"v":${v},"type":"directory.sync","id":"${'x'.repeat(size)}"}` })),
  );
}

export function hostileSession(maxMessageBytes: number, victim: string): fc.Arbitrary<HostileSession> {
  return fc.record({
    authenticate: fc.boolean(),
    frames: fc.array(hostileFrame(maxMessageBytes, victim), { minLength: 1, maxLength: 12 }),
    flood: fc.nat({ max: 300 }),
  });
}

export function randomLoopbackAddress(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `127.${a}.${b}.${(c % 254) + 1}`;
}

/**
 * Runs one hostile session; resolves once the server closed it or it went quiet. Every reply must
 * be a well-formed server message: errors, never stack traces.
 */
export async function runHostileSession(wsUrl: string, as: { userId: string; keys: IdentityKeyPair }, input: HostileSession): Promise<void> {
  // Each session from its own loopback address (Linux routes all of 127/8 to lo), so the
  // server's per-address limits see a crowd of fuzzers rather than one, and the fuzz goes deep.
  const ws = new WebSocket(wsUrl, [subprotocolFor(PROTOCOL_VERSION)], { localAddress: randomLoopbackAddress() });
  const replies: string[] = [];
  const closed = new Promise<void>((resolve) => ws.on('close', () => { resolve(); }));
  ws.on('error', () => undefined);
  ws.on('message', (data: Buffer) => replies.push(data.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { resolve(); });
    ws.once('error', reject);
  });
  while (replies.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  if (input.authenticate) {
    const hello = parseServerMessage(replies[0]);
    if (hello.type !== 'hello') throw new Error('no hello');
    const signature = await signAuthChallenge(as.keys.secretKey, hello.serverUrl, as.userId, fromBase64Url(hello.nonce));
    ws.send(JSON.stringify({ v, type: 'auth', userId: as.userId, signature: toBase64Url(signature) }));
  }
  for (const item of input.frames) {
    if (ws.readyState !== WebSocket.OPEN) break;
    ws.send(item.data, { binary: item.kind === 'binary' });
  }
  for (let i = 0; i < input.flood && ws.readyState === WebSocket.OPEN; i++) ws.send(`{"v":${v},"type":"directory.sync","id":"${i}"}`);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 150))]);
  ws.terminate();
  for (const reply of replies) parseServerMessage(reply);
}
