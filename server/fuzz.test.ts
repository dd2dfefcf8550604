import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileSession, runHostileSession, type HostileSession } from './test-support/hostile-client.fixture';
import { enrollUser, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';

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

const session = hostileSession(16 * 1024, 'victim');
const hostile = (input: HostileSession) => runHostileSession(server.wsUrl, { userId: 'fuzzer', keys: fuzzer.keys }, input);

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
    expect((await good.sync()).users.map((u) => u.id)).toContain('victim');
    await victim.client.sync();
    expect(server.child.exitCode).toBeNull();
    // Memory does not grow without bound: 120 hostile sessions may cost some heap, not tens of MB.
    expect(after - before).toBeLessThan(48 * 1024 * 1024);
    good.close();
  }, 60_000);
});
