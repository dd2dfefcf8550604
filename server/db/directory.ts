import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { toBase64Url } from '../../shared/crypto/bytes';

/*
 * The directory's versions (docs/protocol.md, "Directory"). One counter per store, bumped inside
 * the transaction of every enrolment, re-key and revocation; each user row keeps the version of its
 * last change in `dir_version`. A revoked user's row stays, as a tombstone, so that a client
 * holding any version of this epoch can be told what it missed.
 */

/**
 * Makes the store's epoch if it has none: random, made once, so that versions from another store
 * (a new one, or another company's) are never mistaken for this one's. Called when the database is
 * opened; INSERT OR IGNORE because the CLI and the server open the same file and either may be first.
 */
export function ensureDirectoryEpoch(db: Database): string {
  db.prepare("INSERT OR IGNORE INTO settings (name, value) VALUES ('directory_epoch', ?)").run(toBase64Url(randomBytes(16)));
  return directoryEpoch(db);
}

export function directoryEpoch(db: Database): string {
  const row = db.prepare("SELECT value FROM settings WHERE name = 'directory_epoch'").get() as { value: string } | undefined;
  if (!row) throw new Error('the database has no directory epoch: open it with openDatabase');
  return row.value;
}

export function directoryVersion(db: Database): number {
  const row = db.prepare('SELECT version FROM directory_state WHERE singleton = 1').get() as { version: number };
  return row.version;
}

/**
 * Records that `userId`'s directory entry changed (enrolled, re-keyed, revoked) and returns the
 * version that change made. Must run inside the transaction that made the change, so that the
 * version and the change are committed together or not at all.
 */
export function stampDirectoryChange(db: Database, userId: string): number {
  if (!db.inTransaction) throw new Error('a directory change must be stamped inside its own transaction');
  const row = db.prepare('UPDATE directory_state SET version = version + 1 WHERE singleton = 1 RETURNING version').get() as { version: number };
  db.prepare('UPDATE users SET dir_version = ? WHERE id = ?').run(row.version, userId);
  return row.version;
}

/**
 * One user's state as the directory lists it: `identityKey` null means a tombstone (revoked, or
 * reinstated but not enrolled again), which clients learn as "removed".
 */
export interface DirectoryRecord {
  id: string;
  displayName: string;
  identityKey: Uint8Array | null;
  version: number;
}

export interface DirectoryChanges {
  epoch: string;
  /** The store's version when read: every change up to it is in `records` or was before `after`. */
  version: number;
  /** In version order. */
  records: DirectoryRecord[];
}

interface RecordRow {
  id: string;
  display_name: string;
  identity_key: Buffer | null;
  dir_version: number;
  revoked_at: number | null;
}

/**
 * Every user whose last change came after version `after` (0: the whole directory), read in one
 * transaction with the store's version, so the answer is one consistent snapshot. Indexed by
 * version: a caller that is nearly up to date pays for the changes, not for the company.
 */
export function directoryChangesAfter(db: Database, after: number): DirectoryChanges {
  return db.transaction((): DirectoryChanges => {
    const rows = db
      .prepare(
        `SELECT u.id, u.display_name, d.identity_key, u.dir_version, u.revoked_at
         FROM users u LEFT JOIN devices d ON d.user_id = u.id AND d.retired_at IS NULL
         WHERE u.dir_version > ? ORDER BY u.dir_version`,
      )
      .all(after) as RecordRow[];
    return {
      epoch: directoryEpoch(db),
      version: directoryVersion(db),
      records: rows.map((row) => ({
        id: row.id,
        displayName: row.display_name,
        identityKey: row.revoked_at === null && row.identity_key ? new Uint8Array(row.identity_key) : null,
        version: row.dir_version,
      })),
    };
  })();
}
