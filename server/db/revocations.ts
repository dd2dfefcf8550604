import type { Database } from 'better-sqlite3';
import { appendAudit } from './audit';
import { deleteKeyPackages } from './key-packages';
import { stampDirectoryChange } from './directory';
import { findUser } from './users';

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'unknown-user';

/**
 * Revokes a user: retires their key, cancels their unused invites (or a pending link would let
 * them straight back in), and appends to `revocations`, which the running server watches.
 */
export function revokeUser(db: Database, userId: string, reason: string | undefined, now: number = Date.now()): RevokeOutcome {
  return db
    .transaction((): RevokeOutcome => {
      const user = findUser(db, userId);
      const pending = db
        .prepare('UPDATE invites SET cancelled_at = ? WHERE user_id = ? AND used_at IS NULL AND cancelled_at IS NULL')
        .run(now, userId).changes;
      if (!user) {
        if (pending === 0) return 'unknown-user';
        // Invited but never enrolled: keep a revoked row so that "refused from then on" holds.
        const invite = db.prepare('SELECT display_name FROM invites WHERE user_id = ? ORDER BY created_at DESC').get(userId) as
          | { display_name: string }
          | undefined;
        db.prepare('INSERT INTO users (id, display_name, created_at) VALUES (?, ?, ?)').run(userId, invite?.display_name ?? userId, now);
      } else if (user.revokedAt !== null) {
        return 'already-revoked';
      }
      db.prepare('UPDATE users SET revoked_at = ? WHERE id = ?').run(now, userId);
      db.prepare('UPDATE devices SET retired_at = ? WHERE user_id = ? AND retired_at IS NULL').run(now, userId);
      deleteKeyPackages(db, userId);
      db.prepare('INSERT INTO revocations (user_id, revoked_at, reason) VALUES (?, ?, ?)').run(userId, now, reason ?? null);
      stampDirectoryChange(db, userId);
      appendAudit(db, 'cli', 'user.revoked', userId, reason ? { reason, cancelledInvites: pending } : { cancelledInvites: pending }, now);
      return 'revoked';
    })
    .immediate();
}

export function lastRevocationId(db: Database): number {
  const row = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM revocations').get() as { id: number };
  return row.id;
}

export function revocationsAfter(db: Database, afterId: number): { id: number; userId: string }[] {
  return db.prepare('SELECT id, user_id AS userId FROM revocations WHERE id > ? ORDER BY id').all(afterId) as { id: number; userId: string }[];
}
