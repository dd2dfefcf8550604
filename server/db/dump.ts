import type { Database } from 'better-sqlite3';
import type { AuditEntry } from './audit';
import { directoryEpoch, directoryVersion } from './directory';
import { readSetting } from './settings';
import type { StoreDump } from '../store/store-dump';

/** Reads every table in one read transaction, so the copy is one consistent moment. */
export function dumpDatabase(db: Database): StoreDump {
  return db.transaction((): StoreDump => {
    const users = db
      .prepare('SELECT id, display_name AS displayName, created_at AS createdAt, revoked_at AS revokedAt, last_seen_at AS lastSeenAt, dir_version AS dirVersion FROM users ORDER BY id')
      .all() as StoreDump['users'];
    const devices = (
      db.prepare('SELECT user_id, identity_key, device_name, enrolled_at, retired_at FROM devices ORDER BY id').all() as {
        user_id: string;
        identity_key: Buffer;
        device_name: string;
        enrolled_at: number;
        retired_at: number | null;
      }[]
    ).map((row) => ({ userId: row.user_id, identityKey: new Uint8Array(row.identity_key), deviceName: row.device_name, enrolledAt: row.enrolled_at, retiredAt: row.retired_at }));
    const invites = (
      db.prepare('SELECT * FROM invites ORDER BY created_at').all() as {
        code_hash: Buffer;
        user_id: string;
        display_name: string;
        created_at: number;
        expires_at: number;
        used_at: number | null;
        cancelled_at: number | null;
      }[]
    ).map((row) => ({
      codeHash: new Uint8Array(row.code_hash),
      userId: row.user_id,
      displayName: row.display_name,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      cancelledAt: row.cancelled_at,
    }));
    const revocations = db
      .prepare('SELECT user_id AS userId, revoked_at AS revokedAt, reason FROM revocations ORDER BY id')
      .all() as StoreDump['revocations'];
    const audit = db.prepare('SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id').all() as AuditEntry[];
    return {
      users,
      devices,
      invites,
      revocations,
      audit,
      publicUrl: readSetting(db, 'public_url'),
      directoryEpoch: directoryEpoch(db),
      directoryVersion: directoryVersion(db),
    };
  })();
}
