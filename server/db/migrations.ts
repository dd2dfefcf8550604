import type { Database } from 'better-sqlite3';
import { ensureDirectoryEpoch } from './directory-version';

/*
 * Schema migrations, applied in order inside one transaction each; the database's
 * `PRAGMA user_version` is the number of the last one applied. Never edit a migration that has
 * shipped: add the next one.
 */

interface Migration {
  version: number;
  sql: string;
  /** A step SQL cannot say (a random value made in Node), run in the same transaction. */
  after?: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        revoked_at    INTEGER,
        last_seen_at  INTEGER
      ) STRICT;

      -- One device per user for now; a re-enrolment retires the old key rather than deleting it,
      -- so the audit trail can say which key was valid when.
      CREATE TABLE devices (
        id            INTEGER PRIMARY KEY,
        user_id       TEXT NOT NULL REFERENCES users(id),
        identity_key  BLOB NOT NULL,
        device_name   TEXT NOT NULL,
        enrolled_at   INTEGER NOT NULL,
        retired_at    INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX devices_one_live_per_user ON devices(user_id) WHERE retired_at IS NULL;

      -- Only the SHA-256 of each enrolment code is kept: a copy of the database enrols no one.
      CREATE TABLE invites (
        code_hash     BLOB PRIMARY KEY,
        user_id       TEXT NOT NULL,
        display_name  TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER NOT NULL,
        used_at       INTEGER,
        cancelled_at  INTEGER
      ) STRICT;
      CREATE INDEX invites_by_user ON invites(user_id);

      -- The running server polls this table's highest id to cut revoked users' live connections.
      CREATE TABLE revocations (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id       TEXT NOT NULL,
        revoked_at    INTEGER NOT NULL,
        reason        TEXT
      ) STRICT;

      CREATE TABLE audit_log (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        at            INTEGER NOT NULL,
        actor         TEXT NOT NULL,
        action        TEXT NOT NULL,
        subject       TEXT,
        detail        TEXT
      ) STRICT;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

      CREATE TABLE settings (
        name   TEXT PRIMARY KEY,
        value  TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    // The versioned directory (docs/protocol.md): each user row records the directory version of
    // its last change, revoked users stay as tombstones, and one counter is bumped in the same
    // transaction as every enrolment, re-key and revocation. Rows already in the directory or
    // already revoked start at version 1, so a client of this epoch syncs them all once.
    version: 2,
    sql: `
      ALTER TABLE users ADD COLUMN dir_version INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE revocations ADD COLUMN dir_version INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE directory_counter (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        version  INTEGER NOT NULL
      ) STRICT;
      UPDATE users SET dir_version = 1
        WHERE revoked_at IS NOT NULL OR id IN (SELECT user_id FROM devices WHERE retired_at IS NULL);
      UPDATE revocations SET dir_version = 1;
      INSERT INTO directory_counter (id, version) VALUES (1, (SELECT COALESCE(MAX(dir_version), 0) FROM users));
    `,
    after: (db) => { ensureDirectoryEpoch(db); },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

export function schemaVersion(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Brings the schema up to date; refuses a database written by a newer server rather than guess. */
export function migrate(db: Database): number {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `the database has schema version ${current}, newer than this server knows (${SCHEMA_VERSION}); run a newer sealcall-server`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.after?.(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
