import type { Database } from 'better-sqlite3';

/*
 * Group calls' MLS KeyPackages (docs/protocol.md, "Key packages"). They are public (an HPKE key
 * and a credential, signed by the device), so nothing here is secret; what matters is that a
 * one-time package goes to one fetcher only, and that a retired device's packages are gone.
 */

export type PublishOutcome = 'published' | 'no-device';

/** Replaces the user's whole set with this batch, bound to their live device. */
export function publishKeyPackages(db: Database, userId: string, packages: readonly Uint8Array[], lastResort: Uint8Array): PublishOutcome {
  return db
    .transaction((): PublishOutcome => {
      const device = db.prepare('SELECT id FROM devices WHERE user_id = ? AND retired_at IS NULL').get(userId) as { id: number } | undefined;
      if (!device) return 'no-device';
      deleteKeyPackages(db, userId);
      const insert = db.prepare('INSERT INTO key_packages (user_id, device_id, last_resort, package) VALUES (?, ?, ?, ?)');
      for (const bytes of packages) insert.run(userId, device.id, 0, bytes);
      insert.run(userId, device.id, 1, lastResort);
      return 'published';
    })
    .immediate();
}

/**
 * One package for each user: the oldest one-time package, which is deleted as it is handed out, or
 * else the last-resort one, which stays. Users with none (never published, or their device was
 * retired since) are left out.
 */
export function takeKeyPackages(db: Database, userIds: readonly string[]): Map<string, Uint8Array> {
  return db
    .transaction(() => {
      const found = new Map<string, Uint8Array>();
      const pick = db.prepare(
        `SELECT k.id, k.last_resort AS lastResort, k.package FROM key_packages k
           JOIN devices d ON d.id = k.device_id AND d.retired_at IS NULL
          WHERE k.user_id = ? ORDER BY k.last_resort, k.id LIMIT 1`,
      );
      const consume = db.prepare('DELETE FROM key_packages WHERE id = ?');
      for (const userId of new Set(userIds)) {
        const row = pick.get(userId) as { id: number; lastResort: number; package: Buffer } | undefined;
        if (!row) continue;
        if (row.lastResort === 0) consume.run(row.id);
        found.set(userId, new Uint8Array(row.package));
      }
      return found;
    })
    .immediate();
}

/** How many one-time packages the user has left (the last-resort one not counted). */
export function oneTimeKeyPackageCount(db: Database, userId: string): number {
  const row = db.prepare('SELECT COUNT(*) AS n FROM key_packages WHERE user_id = ? AND last_resort = 0').get(userId) as { n: number };
  return row.n;
}

/** Inside the transaction that retires a device (a re-enrolment, a revocation). */
export function deleteKeyPackages(db: Database, userId: string): void {
  db.prepare('DELETE FROM key_packages WHERE user_id = ?').run(userId);
}
