import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentityKeyPair } from '../shared/crypto/identity';
import { startServer, type RunningServer } from './app';
import { DEFAULT_LIMITS } from './config/server-config';
import { DATABASE_FILE } from './db/database';
import { silentLogger } from './log/logger';
import { TestClient, inviteDirect, removeDataDir, tempDataDir } from './test-support/harness.fixture';

/*
 * Issue 12, item 6: last-seen times are batched, so a crash loses some. The loss is bounded: a
 * user who stays connected is written every refresh interval, not only at login and logout, and
 * a fatal fault writes what is pending before the process dies. The real server runs in this
 * process with short intervals; the database is read through its own connection, as the CLI does.
 */

const dataDir = tempDataDir();
let server: RunningServer;

beforeAll(async () => {
  const limits = { ...DEFAULT_LIMITS, lastSeenFlushMs: 100, lastSeenRefreshMs: 300 };
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, publicUrl: undefined, trustedProxies: [], turn: undefined, limits, logLevel: 'silent' }, silentLogger);
});

afterAll(async () => {
  await server.close();
  removeDataDir(dataDir);
});

function lastSeen(userId: string): number | null {
  const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare('SELECT last_seen_at FROM users WHERE id = ?').get(userId) as { last_seen_at: number | null }).last_seen_at;
  } finally {
    db.close();
  }
}

async function until<T>(what: string, read: () => T, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${String(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('last-seen times', () => {
  it('move on while a user stays connected, and are written at once when the server is told it is dying', async () => {
    const client = await TestClient.connect(server.publicUrl);
    await client.enroll(inviteDirect(dataDir, 'alice', 'Alice'), await generateIdentityKeyPair());
    await client.next('welcome');
    const atLogin = await until('the login batch', () => lastSeen('alice'), (value) => value !== null);
    // No logout, no shutdown: only the refresh can move it.
    await until('a refresh while connected', () => lastSeen('alice') ?? 0, (value) => value > (atLogin ?? 0));

    const before = Date.now();
    server.flushLastSeen();
    expect(lastSeen('alice')).toBeGreaterThanOrEqual(before);
    client.close();
  });
});
