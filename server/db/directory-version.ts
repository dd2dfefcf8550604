import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/*
 * The directory's version counter and epoch (docs/protocol.md). The epoch is made once per store,
 * so a client that synced against another store (or a store rebuilt from scratch) gets a full copy
 * instead of a delta that means nothing here.
 */

export function newDirectoryEpoch(): string {
  return randomBytes(16).toString('base64url');
}

export function ensureDirectoryEpoch(db: Database): string {
  db.prepare("INSERT INTO settings (name, value) VALUES ('directory_epoch', ?) ON CONFLICT(name) DO NOTHING").run(newDirectoryEpoch());
  return (db.prepare("SELECT value FROM settings WHERE name = 'directory_epoch'").get() as { value: string }).value;
}

export function directoryVersion(db: Database): number {
  return (db.prepare('SELECT version FROM directory_counter WHERE id = 1').get() as { version: number }).version;
}

/** Must run inside the transaction that makes the change, so the version and the change commit together. */
export function bumpDirectoryVersion(db: Database, userId: string): number {
  const { version } = db.prepare('UPDATE directory_counter SET version = version + 1 WHERE id = 1 RETURNING version').get() as { version: number };
  db.prepare('UPDATE users SET dir_version = ? WHERE id = ?').run(version, userId);
  return version;
}

export interface DirectoryRow {
  id: string;
  displayName: string;
  /** The live key, or null for a tombstone (revoked, or its key retired). */
  identityKey: Uint8Array | null;
  dirVersion: number;
}

/**
 * Every user the directory has ever listed, tombstones included, with the version of its last
 * change. A live row at version 0 was written outside the store's functions (a benchmark's bulk
 * load): it is listed, as a change older than any version.
 */
export function directoryRows(db: Database): DirectoryRow[] {
  const rows = db
    .prepare(
      `SELECT u.id, u.display_name, u.dir_version, CASE WHEN u.revoked_at IS NULL THEN d.identity_key END AS identity_key
       FROM users u LEFT JOIN devices d ON d.user_id = u.id AND d.retired_at IS NULL
       WHERE u.dir_version > 0 OR (u.revoked_at IS NULL AND d.id IS NOT NULL) ORDER BY u.dir_version, u.id`,
    )
    .all() as { id: string; display_name: string; dir_version: number; identity_key: Buffer | null }[];
  return rows.map((row) => ({
    id: row.id,
    displayName: row.display_name,
    identityKey: row.identity_key ? new Uint8Array(row.identity_key) : null,
    dirVersion: row.dir_version,
  }));
}
