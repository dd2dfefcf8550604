import type { Database } from 'better-sqlite3';
import { appendAudit } from './audit';
import { deleteKeyPackages } from './key-packages';
import { stampDirectoryChange } from './directory';
import { findUser } from './users';

export interface InviteRequest {
  userId: string;
  displayName: string;
  codeHash: Uint8Array;
  expiresAt: number;
  /** Allows inviting a revoked user back in. */
  reinstate: boolean;
}

export type InviteOutcome = { ok: true; existing: 'new' | 'enrolled' | 'reinstated'; cancelled: number } | { ok: false; reason: 'revoked' };

/**
 * Records a new invite. A user has at most one live invite: an older one is cancelled, so a link
 * sent to the wrong address can be replaced by issuing a new one.
 */
export function createInvite(db: Database, request: InviteRequest, now: number = Date.now()): InviteOutcome {
  return db
    .transaction((): InviteOutcome => {
      const user = findUser(db, request.userId);
      if (user?.revokedAt != null && !request.reinstate) return { ok: false, reason: 'revoked' };
      const cancelled = db
        .prepare('UPDATE invites SET cancelled_at = ? WHERE user_id = ? AND used_at IS NULL AND cancelled_at IS NULL')
        .run(now, request.userId).changes;
      db.prepare('INSERT INTO invites (code_hash, user_id, display_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        request.codeHash,
        request.userId,
        request.displayName,
        now,
        request.expiresAt,
      );
      let existing: 'new' | 'enrolled' | 'reinstated' = user?.identityKey ? 'enrolled' : 'new';
      if (user?.revokedAt != null) {
        db.prepare('UPDATE users SET revoked_at = NULL WHERE id = ?').run(request.userId);
        appendAudit(db, 'cli', 'user.reinstated', request.userId, {}, now);
        existing = 'reinstated';
      }
      appendAudit(db, 'cli', 'invite.created', request.userId, { expiresAt: request.expiresAt, cancelledOlder: cancelled }, now);
      return { ok: true, existing, cancelled };
    })
    .immediate();
}

export type InviteState = 'valid' | 'invite-invalid' | 'invite-expired' | 'invite-used';

interface InviteRow {
  user_id: string;
  display_name: string;
  expires_at: number;
  used_at: number | null;
  cancelled_at: number | null;
}

function stateOf(row: InviteRow | undefined, now: number): InviteState {
  if (!row || row.cancelled_at !== null) return 'invite-invalid';
  if (row.used_at !== null) return 'invite-used';
  if (row.expires_at <= now) return 'invite-expired';
  return 'valid';
}

export function inviteState(db: Database, codeHash: Uint8Array, now: number = Date.now()): InviteState {
  return stateOf(db.prepare('SELECT * FROM invites WHERE code_hash = ?').get(codeHash) as InviteRow | undefined, now);
}

export interface Redemption {
  codeHash: Uint8Array;
  identityKey: Uint8Array;
  deviceName: string;
  keyFingerprint: string;
}

export type RedeemOutcome =
  | { ok: true; userId: string; displayName: string; replacedKey: boolean; directoryVersion: number }
  | { ok: false; reason: Exclude<InviteState, 'valid'> | 'revoked' };

/**
 * Spends an invite and registers the device key, atomically: the code's state is checked again
 * inside the transaction, so two sockets racing with one code enrol one device, and a revocation
 * by the CLI in between wins.
 */
export function redeemInvite(db: Database, redemption: Redemption, now: number = Date.now()): RedeemOutcome {
  return db
    .transaction((): RedeemOutcome => {
      const row = db.prepare('SELECT * FROM invites WHERE code_hash = ?').get(redemption.codeHash) as InviteRow | undefined;
      const state = stateOf(row, now);
      if (state !== 'valid' || !row) return { ok: false, reason: state === 'valid' ? 'invite-invalid' : state };
      const user = findUser(db, row.user_id);
      if (user?.revokedAt != null) return { ok: false, reason: 'revoked' };
      db.prepare('UPDATE invites SET used_at = ? WHERE code_hash = ?').run(now, redemption.codeHash);
      if (user) {
        db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(row.display_name, row.user_id);
        db.prepare('UPDATE devices SET retired_at = ? WHERE user_id = ? AND retired_at IS NULL').run(now, row.user_id);
        deleteKeyPackages(db, row.user_id);
      } else {
        db.prepare('INSERT INTO users (id, display_name, created_at) VALUES (?, ?, ?)').run(row.user_id, row.display_name, now);
      }
      db.prepare('INSERT INTO devices (user_id, identity_key, device_name, enrolled_at) VALUES (?, ?, ?, ?)').run(
        row.user_id,
        redemption.identityKey,
        redemption.deviceName,
        now,
      );
      const replacedKey = user?.identityKey != null;
      const directoryVersion = stampDirectoryChange(db, row.user_id);
      appendAudit(db, 'server', replacedKey ? 'user.rekeyed' : 'user.enrolled', row.user_id, { keyFingerprint: redemption.keyFingerprint }, now);
      return { ok: true, userId: row.user_id, displayName: row.display_name, replacedKey, directoryVersion };
    })
    .immediate();
}

export interface PendingInvite {
  userId: string;
  displayName: string;
  createdAt: number;
  expiresAt: number;
}

export function pendingInvites(db: Database, now: number = Date.now()): PendingInvite[] {
  return db
    .prepare(
      `SELECT user_id AS userId, display_name AS displayName, created_at AS createdAt, expires_at AS expiresAt
       FROM invites WHERE used_at IS NULL AND cancelled_at IS NULL AND expires_at > ? ORDER BY user_id`,
    )
    .all(now) as PendingInvite[];
}
