import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { TestClient, enrollUser, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess } from './test-support/harness.fixture';

const v = PROTOCOL_VERSION;
let server: ServerProcess;
let alice: EnrolledUser;

beforeAll(async () => {
  server = await startServerProcess({ args: ['--rate-limit', '5', '--rate-burst', '10', '--max-unauthenticated', '3', '--heartbeat', '400ms', '--max-message-bytes', '4096'] });
  alice = await enrollUser(server, 'alice');
});

afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
});

async function metric(name: string): Promise<string> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name)).join('\n');
}

describe('limits', () => {
  it('refuses an oversized message with its code and closes 1009', async () => {
    const client = await signIn(server, 'alice', alice.keys);
    client.send({ v, type: 'directory.sync', id: 'x'.repeat(5000) });
    expect((await client.error('message-too-large')).message).toMatch(/4096 bytes/);
    expect((await client.closed).code).toBe(1009);
    // Far beyond the limit, ws itself cuts the socket before buffering it all.
    const other = await signIn(server, 'alice', alice.keys);
    other.send('x'.repeat(64 * 1024));
    expect((await other.closed).code).toBe(1009);
    expect(await metric('sealcall_rejects_total{reason="message-too-large"}')).toMatch(/ [2-9]\d*$/);
    alice.client = await signIn(server, 'alice', alice.keys);
  });

  it('drops a flood beyond the burst, says so once, and keeps the connection', async () => {
    const client = alice.client;
    for (let i = 0; i < 40; i++) client.send({ v, type: 'turn.request', id: `f${i}` });
    expect((await client.error('rate-limited')).message).toMatch(/at most 5 messages a second/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answered = client.received.filter((m) => m.type === 'turn.credentials').length;
    // The burst, less the auth message the connection began with, plus what refilled meanwhile.
    expect(answered).toBeGreaterThanOrEqual(9);
    expect(answered).toBeLessThanOrEqual(13);
    expect(client.received.filter((m) => m.type === 'error' && m.code === 'rate-limited')).toHaveLength(1);
    // After a pause the bucket has refilled.
    await new Promise((resolve) => setTimeout(resolve, 500));
    client.send({ v, type: 'turn.request' });
    await client.next('turn.credentials', () => true, 2000);
  });

  it('sends a full directory twice, then refuses a third, keeping the connection; deltas still go', async () => {
    const client = await signIn(server, 'alice', alice.keys);
    for (const id of ['d1', 'd2', 'd3']) client.send({ v, type: 'directory.sync', id });
    const full = await client.next('directory.delta');
    expect(full.full).toBe(true);
    await client.next('directory.delta');
    const refused = await client.error('rate-limited');
    expect(refused).toMatchObject({ ref: 'd3' });
    expect(refused.message).toMatch(/a full directory is sent once every 30 s; sync with the epoch and version you hold/);
    expect(await client.nothing('directory.delta', 300)).toBe(true);
    // A copy from another store, or from a version this one never issued, costs a full copy too.
    client.send({ v, type: 'directory.sync', id: 'd4', since: { epoch: toBase64Url(new Uint8Array(16)), version: 0 } });
    expect(await client.error('rate-limited')).toMatchObject({ ref: 'd4' });
    client.send({ v, type: 'directory.sync', id: 'd5', since: { epoch: full.epoch, version: full.version + 1 } });
    expect(await client.error('rate-limited')).toMatchObject({ ref: 'd5' });
    expect(await client.sync({ epoch: full.epoch, version: full.version })).toMatchObject({ full: false, users: [], removed: [] });
    client.send({ v, type: 'turn.request' });
    await client.next('turn.credentials');
    alice.client = client;
  });

  it('caps the sockets waiting to authenticate', async () => {
    const waiting = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.wsUrl)));
    const refused = await TestClient.connect(server.wsUrl, { expectHello: false });
    expect((await refused.error('server-busy')).code).toBe('server-busy');
    expect((await refused.closed).code).toBe(1013);
    // Once one authenticates, there is room again.
    await waiting[0]?.auth('alice', alice.keys);
    await waiting[0]?.next('welcome');
    const admitted = await TestClient.connect(server.wsUrl);
    expect(admitted.hello.type).toBe('hello');
    for (const client of [...waiting, admitted]) client.close();
    await Promise.all([...waiting, admitted].map((client) => client.closed));
    alice.client = await signIn(server, 'alice', alice.keys);
  });

  it('drops a socket that stops answering pings, and keeps one that answers', async () => {
    const dead = await TestClient.connect(server.wsUrl, { autoPong: false });
    await dead.auth('alice', alice.keys);
    await dead.next('welcome');
    const started = Date.now();
    const closed = await dead.closed;
    expect(closed.code).toBe(1006);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await metric('sealcall_rejects_total{reason="heartbeat-timeout"}')).toMatch(/ [1-9]\d*$/);
    const live = await signIn(server, 'alice', alice.keys);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    live.send({ v, type: 'turn.request' });
    await live.next('turn.credentials');
    alice.client = live;
  });

  it('refuses binary frames after authentication without dropping the connection', async () => {
    alice.client.ws.send(Buffer.from([1, 2, 3]));
    expect((await alice.client.error('bad-message')).message).toMatch(/text/);
    alice.client.send({ v, type: 'turn.request' });
    await alice.client.next('turn.credentials');
  });
});
