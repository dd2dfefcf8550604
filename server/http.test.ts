import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { SCHEMA_VERSION } from './db/migrations';
import { TestClient, enrollUser, serverForSuite } from './test-support/harness.fixture';
import { SERVER_VERSION } from './version';

const server = serverForSuite();

describe('HTTP endpoints', () => {
  it('GET /healthz reports the version and the database', async () => {
    const response = await fetch(`${server.httpUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok', version: SERVER_VERSION, protocol: PROTOCOL_VERSION, database: { status: 'ok', store: 'sqlite', schemaVersion: SCHEMA_VERSION } });
  });

  it('GET /metrics speaks Prometheus text and counts what happened', async () => {
    const alice = await enrollUser(server, 'alice');
    const stranger = await TestClient.connect(server.wsUrl);
    stranger.send({ v: PROTOCOL_VERSION, type: 'directory.sync' });
    await stranger.closed;
    const full = await alice.client.sync();
    await alice.client.sync({ epoch: full.epoch, version: full.version });
    const response = await fetch(`${server.httpUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const line of [
      '# TYPE sealcall_connections gauge',
      'sealcall_connections{state="authenticated"} 1',
      'sealcall_authenticated_users 1',
      'sealcall_messages_total{type="enroll"} 1',
      'sealcall_messages_total{type="directory.sync"} 3',
      'sealcall_directory_syncs_total{kind="full"} 1',
      'sealcall_directory_syncs_total{kind="delta"} 1',
      'sealcall_rejects_total{reason="not-authenticated"} 1',
      'sealcall_auth_total{method="enroll",result="ok"} 1',
      '# TYPE sealcall_relay_latency_seconds histogram',
      'sealcall_relay_latency_seconds_bucket{le="+Inf"} 0',
      'sealcall_calls_active 0',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    // No user ids in metrics: they would be metadata.
    expect(text).not.toContain('alice');
    alice.client.close();
  });

  it('answers other paths and methods plainly', async () => {
    expect((await fetch(`${server.httpUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${server.httpUrl}/ws`)).status).toBe(426);
    const wrongPath = await TestClient.connect(`ws://127.0.0.1:${server.port}/other`).catch((error: unknown) => error);
    expect(String(wrongPath)).toMatch(/404/);
  });
});
