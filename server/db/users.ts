import type { Database } from 'better-sqlite3';

export interface UserRecord {
  id: string;
  displayName: string;
  createdAt: number;
  revokedAt: number | null;
  lastSeenAt: number | null;
  /** The live device's serialized identity key (type byte + 32 bytes), or null if none. */
  identityKey: Uint8Array | null;
  deviceName: string | null;
  enrolledAt: number | null;
  /** The directory version of this user's last enrolment, re-key or revocation (0: none yet). */
  dirVersion: number;
}

interface UserRow {
  id: string;
  display_name: string;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  identity_key: Buffer | null;
  device_name: string | null;
  enrolled_at: number | null;
  dir_version: number;
}

const SELECT_USERS = `
  SELECT u.id, u.display_name, u.created_at, u.revoked_at, u.last_seen_at, u.dir_version,
         d.identity_key, d.device_name, d.enrolled_at
  FROM users u LEFT JOIN devices d ON d.user_id = u.id AND d.retired_at IS NULL`;

function fromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastSeenAt: row.last_seen_at,
    identityKey: row.identity_key ? new Uint8Array(row.identity_key) : null,
    deviceName: row.device_name,
    enrolledAt: row.enrolled_at,
    dirVersion: row.dir_version,
  };
}

export function findUser(db: Database, id: string): UserRecord | undefined {
  const row = db.prepare(`${SELECT_USERS} WHERE u.id = ?`).get(id) as UserRow | undefined;
  return row ? fromRow(row) : undefined;
}

/** Everyone who can be called: enrolled, with a live key, and not revoked. */
export function activeUsers(db: Database): UserRecord[] {
  return (db.prepare(`${SELECT_USERS} WHERE u.revoked_at IS NULL AND d.id IS NOT NULL ORDER BY u.id`).all() as UserRow[]).map(fromRow);
}

export function allUsers(db: Database): UserRecord[] {
  return (db.prepare(`${SELECT_USERS} ORDER BY u.id`).all() as UserRow[]).map(fromRow);
}

/** Written in batches: a last-seen time is not worth an fsync per login. */
export function recordLastSeen(db: Database, seen: ReadonlyMap<string, number>): void {
  if (seen.size === 0) return;
  const update = db.prepare('UPDATE users SET last_seen_at = ? WHERE id = ?');
  db.transaction(() => {
    for (const [id, at] of seen) update.run(at, id);
  })();
}
