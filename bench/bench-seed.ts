/**
 * Enrolled users for the server benchmarks, written straight into a fresh data directory: user i
 * is `bench-<i>` with the deterministic key of bench/server-bench-keys.ts, so the load drivers can
 * sign as them.
 */
import { serializeIdentityKey } from '../shared/crypto/identity';
import { openDatabase } from '../server/db/database';
import { benchKeys, benchUserId } from './server-bench-keys';

export async function seedUsers(dataDir: string, seed: string, count: number): Promise<void> {
  const db = openDatabase(dataDir);
  const now = Date.now();
  const insertUser = db.prepare('INSERT INTO users (id, display_name, created_at) VALUES (?, ?, ?)');
  const insertDevice = db.prepare('INSERT INTO devices (user_id, identity_key, device_name, enrolled_at) VALUES (?, ?, ?, ?)');
  const keys = await Promise.all(Array.from({ length: count }, (_, index) => benchKeys(seed, index)));
  db.transaction(() => {
    keys.forEach((pair, index) => {
      insertUser.run(benchUserId(index), `Bench User ${String(index)}`, now);
      insertDevice.run(benchUserId(index), serializeIdentityKey(pair.publicKey), 'bench', now);
    });
  })();
  db.close();
}
