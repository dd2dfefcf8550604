import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fromBase64Url, toBase64Url } from '../shared/crypto/bytes';
import { signAuthChallenge } from '../shared/crypto/server-auth';
import { PROTOCOL_VERSION, clientMessageTypes, parseServerMessage } from '../shared/protocol';
import { enrollUser, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';

const v = PROTOCOL_VERSION;
let server: ServerProcess;
let victim: EnrolledUser;
let fuzzer: EnrolledUser;

beforeAll(async () => {
  server = await startServerProcess({ args: ['--max-message-bytes', '16384', '--rate-limit', '200', '--rate-burst', '400'] });
  victim = await enrollUser(server, 'victim');
  fuzzer = await enrollUser(server, 'fuzzer');
  fuzzer.client.close();
});

afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
});

type Frame = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array };

const knownType = fc.constantFrom(...clientMessageTypes);
const frame: fc.Arbitrary<Frame> = fc.oneof(
  // Random bytes, as binary and as (often invalid UTF-8) text.
  fc.uint8Array({ maxLength: 512 }).map((data): Frame => ({ kind: 'binary', data })),
  fc.string({ maxLength: 512 }).map((data): Frame => ({ kind: 'text', data })),
  // Broken JSON: a valid message cut short, or with a byte flipped.
  fc
    .tuple(fc.jsonValue(), fc.nat())
    .map(([value, cut]): Frame => {
      const text = JSON.stringify({ v, type: 'call.invite', value });
      return { kind: 'text', data: text.slice(0, cut % Math.max(1, text.length)) };
    }),
  // Right envelope, wrong contents.
  fc.record({ v: fc.oneof(fc.constant(v), fc.jsonValue()), type: fc.oneof(knownType, fc.string()), to: fc.oneof(fc.constant('victim'), fc.string()), callId: fc.string(), data: fc.jsonValue(), media: fc.jsonValue(), ake: fc.jsonValue() }, { requiredKeys: ['type'] }).map((value): Frame => ({ kind: 'text', data: JSON.stringify(value) })),
  fc.jsonValue({ maxDepth: 6 }).map((value): Frame => ({ kind: 'text', data: JSON.stringify(value) })),
  // Deep nesting and oversized frames.
  fc.integer({ min: 1000, max: 8000 }).map((depth): Frame => ({ kind: 'text', data: `${'['.repeat(depth)}${']'.repeat(depth)}` })),
  fc.integer({ min: 16 * 1024 + 1, max: 48 * 1024 }).map((size): Frame => ({ kind: 'text', data: `{"v":1,"type":"directory.request","id":"${'x'.repeat(size)}"}` })),
);

const session = fc.record({
  authenticate: fc.boolean(),
  frames: fc.array(frame, { minLength: 1, maxLength: 12 }),
  flood: fc.nat({ max: 300 }),
});

/** Runs one hostile session; resolves once the server closed it or it went quiet. Checks every reply. */
async function hostile(input: { authenticate: boolean; frames: Frame[]; flood: number }): Promise<void> {
  const ws = new WebSocket(server.wsUrl);
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
    const signature = await signAuthChallenge(fuzzer.keys.secretKey, hello.serverUrl, 'fuzzer', fromBase64Url(hello.nonce));
    ws.send(JSON.stringify({ v, type: 'auth', userId: 'fuzzer', signature: toBase64Url(signature) }));
  }
  for (const item of input.frames) {
    if (ws.readyState !== WebSocket.OPEN) break;
    ws.send(item.data, { binary: item.kind === 'binary' });
  }
  for (let i = 0; i < input.flood && ws.readyState === WebSocket.OPEN; i++) ws.send(`{"v":1,"type":"directory.request","id":"${i}"}`);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 150))]);
  ws.terminate();
  // Whatever came back is a well-formed server message: errors, not stack traces.
  for (const reply of replies) parseServerMessage(reply);
}

async function rss(): Promise<number> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('hostile input', () => {
  it('survives random bytes, broken JSON, wrong types, oversized frames and floods', async () => {
    await fc.assert(fc.asyncProperty(session, hostile), { numRuns: 20, seed: 1 });
    const before = await rss();
    await fc.assert(fc.asyncProperty(session, hostile), { numRuns: 120 });
    const after = await rss();

    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // A well-behaved client is still served, and its session was never disturbed.
    const good = await signIn(server, 'fuzzer', fuzzer.keys);
    good.send({ v, type: 'directory.request' });
    expect((await good.next('directory')).users.map((u) => u.id)).toContain('victim');
    victim.client.send({ v, type: 'directory.request' });
    await victim.client.next('directory');
    expect(server.child.exitCode).toBeNull();
    // Memory does not grow without bound: 120 hostile sessions may cost some heap, not tens of MB.
    expect(after - before).toBeLessThan(48 * 1024 * 1024);
    good.close();
  }, 60_000);
});
