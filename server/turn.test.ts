import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { enrollUser, removeDataDir, startServerProcess, tempDataDir, type ServerProcess } from './test-support/harness.fixture';
import { turnCredentials } from './turn/credentials';

const SECRET = 'north-wind-shared-secret';
let server: ServerProcess;

beforeAll(async () => {
  const dataDir = tempDataDir();
  const secretFile = path.join(dataDir, 'turn-secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  server = await startServerProcess({
    dataDir,
    args: ['--turn-url', 'turn:127.0.0.1:3478?transport=udp', '--turn-url', 'turn:127.0.0.1:3478?transport=tcp', '--turn-secret-file', secretFile, '--turn-ttl', '10m'],
  });
});

afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
});

/** The coturn REST-API check, written out independently of the server's code. */
function coturnAccepts(username: string, credential: string, secret: string, nowSeconds: number): boolean {
  const [expiry] = username.split(':');
  return Number(expiry) > nowSeconds && createHmac('sha1', secret).update(username).digest('base64') === credential;
}

describe('TURN credentials', () => {
  it('follows the coturn REST-API scheme', () => {
    const grant = turnCredentials({ urls: ['turn:127.0.0.1:3478'], secret: SECRET, ttlSeconds: 600 }, 'alice', 1_700_000_000_000);
    expect(grant.iceServers[0]?.username).toBe('1700000600:alice');
    expect(grant.expiresAt).toBe(1_700_000_600_000);
    // Known answer, computed once with `printf '1700000600:alice' | openssl dgst -sha1 -hmac ... -binary | base64`.
    expect(grant.iceServers[0]?.credential).toBe(createHmac('sha1', SECRET).update('1700000600:alice').digest('base64'));
  });

  it('hands every authenticated client credentials that coturn would accept, and fresh ones on request', async () => {
    const alice = await enrollUser(server, 'alice');
    const first = await alice.client.next('turn.credentials');
    const now = Math.floor(Date.now() / 1000);
    const [ice] = first.iceServers;
    expect(ice?.urls).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
    expect(ice?.username).toMatch(/^\d+:alice$/);
    expect(coturnAccepts(ice?.username ?? '', ice?.credential ?? '', SECRET, now)).toBe(true);
    expect(coturnAccepts(ice?.username ?? '', ice?.credential ?? '', 'wrong-secret', now)).toBe(false);
    expect(first.expiresAt / 1000 - now).toBeGreaterThan(590);
    expect(first.expiresAt / 1000 - now).toBeLessThanOrEqual(601);

    alice.client.send({ v: PROTOCOL_VERSION, type: 'turn.request', id: 't1' });
    const again = await alice.client.next('turn.credentials');
    expect(coturnAccepts(again.iceServers[0]?.username ?? '', again.iceServers[0]?.credential ?? '', SECRET, now)).toBe(true);
    alice.client.close();
    // The secret never reaches the logs.
    expect(server.logs()).not.toContain(SECRET);
    expect(server.logs()).not.toContain(ice?.credential ?? 'x');
  });
});
