/**
 * Enrolled users for the server benchmarks: user i is `bench-<i>` with the deterministic key of
 * bench/server-bench-keys.ts, so the load drivers can sign as them.
 *
 * They are written into a fresh data directory at schema version 1 (before the directory was
 * versioned), as a company's database from before protocol 2 holds them; the server's own
 * migrations then number them when it first opens the file. So the bench never writes the
 * versioning columns itself, and seeds thousands of users in one transaction.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { serializeIdentityKey } from '../shared/crypto/identity';
import { DATABASE_FILE } from '../server/db/database';
import { MIGRATIONS } from '../server/db/migrations';
import { benchKeys, benchUserId } from './server-bench-keys';

export async function seedUsers(dataDir: string, seed: string, count: number): Promise<void> {
  const first = MIGRATIONS.find((migration) => migration.version === 1);
  if (first === undefined) throw new Error('no schema version 1 to seed');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE));
  try {
    db.exec(first.sql);
    db.pragma('user_version = 1');
    const now = Date.now();
    const insertUser = db.prepare('INSERT INTO users (id, display_name, created_at) VALUES (?, ?, ?)');
    const insertDevice = db.prepare('INSERT INTO devices (user_id, identity_key, device_name, enrolled_at) VALUES (?, ?, ?, ?)');
    const keys = await Promise.all(Array.from({ length: count }, (_, index) => benchKeys(seed, index)));
    db.transaction(() => {
      keys.forEach((pair, index) => {
        // Joining one millisecond apart, in index order: migrations that number users by joining order agree.
        insertUser.run(benchUserId(index), `Bench User ${String(index)}`, now - count + index);
        insertDevice.run(benchUserId(index), serializeIdentityKey(pair.publicKey), 'bench', now - count + index);
      });
    })();
  } finally {
    db.close();
  }
}
