import type { Database } from 'better-sqlite3';

/*
 * Schema migrations, applied in order inside one transaction each; the database's
 * `PRAGMA user_version` is the number of the last one applied. Never edit a migration that has
 * shipped: add the next one.
 */

interface Migration {
  version: number;
  sql: string;
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
    // Issue 13: a versioned directory, so a returning client receives only what changed since its
    // copy (docs/protocol.md, "Directory"). Every enrolment, re-key and revocation bumps one
    // counter in its own transaction and stamps the user's row with it; revoked users stay as
    // tombstones. Existing users get versions 1..n in the order they joined.
    version: 2,
    sql: `
      CREATE TABLE directory_state (
        singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
        version    INTEGER NOT NULL CHECK (version >= 0)
      ) STRICT;

      ALTER TABLE users ADD COLUMN dir_version INTEGER NOT NULL DEFAULT 0;
      UPDATE users SET dir_version = (
        SELECT ranked.n FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM users) ranked
        WHERE ranked.id = users.id
      );
      INSERT INTO directory_state (singleton, version) VALUES (1, (SELECT COUNT(*) FROM users));
      CREATE UNIQUE INDEX users_by_dir_version ON users(dir_version) WHERE dir_version > 0;
    `,
  },
  {
    // Group calls' MLS KeyPackages (docs/protocol.md, "Key packages"): public, published by each
    // user's live device, consumed one per fetch. Tied to the device, so that a re-enrolment or a
    // revocation deletes them with the key that signed them.
    version: 3,
    sql: `
      CREATE TABLE key_packages (
        id           INTEGER PRIMARY KEY,
        user_id      TEXT NOT NULL,
        device_id    INTEGER NOT NULL REFERENCES devices(id),
        last_resort  INTEGER NOT NULL CHECK (last_resort IN (0, 1)),
        package      BLOB NOT NULL
      ) STRICT;
      CREATE INDEX key_packages_by_user ON key_packages(user_id, last_resort, id);
    `,
  },
  {
    // Group calls running on this instance (docs/protocol.md, "A member whose connection drops"):
    // who owns, is invited and is in, and the epoch, so that a restarted server still relays the
    // calls whose media went on peer to peer meanwhile. No key material: the server has none.
    version: 4,
    sql: `
      CREATE TABLE group_calls (
        group_id  TEXT PRIMARY KEY,
        doc       TEXT NOT NULL
      ) STRICT;
    `,
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
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
