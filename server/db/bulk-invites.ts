import type { Database } from 'better-sqlite3';
import { appendAudit } from './audit';
import { findUser } from './users';

/** One person of a bulk invite: the same fields as a single invite, without `reinstate`. */
export interface BulkInviteRequest {
  userId: string;
  displayName: string;
  codeHash: Uint8Array;
  expiresAt: number;
}

/**
 * What a bulk invite did for one person. Only `invited` and `renewed` wrote anything; the others
 * make a second run of the same list harmless:
 * - `enrolled`: already has a device key, left alone (a new link would replace their key);
 * - `already-invited`: holds an unused, unexpired link, left alone unless `renew` was asked;
 * - `revoked`: never reinstated in bulk (one at a time, with `invite --reinstate`).
 */
export type BulkInviteOutcome = 'invited' | 'renewed' | 'enrolled' | 'already-invited' | 'revoked';

/** All of the list or none of it, in one transaction. */
export function createBulkInvites(db: Database, requests: readonly BulkInviteRequest[], renew: boolean, now: number = Date.now()): BulkInviteOutcome[] {
  const live = db.prepare('SELECT COUNT(*) AS n FROM invites WHERE user_id = ? AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > ?');
  const cancel = db.prepare('UPDATE invites SET cancelled_at = ? WHERE user_id = ? AND used_at IS NULL AND cancelled_at IS NULL');
  const insert = db.prepare('INSERT INTO invites (code_hash, user_id, display_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
  return db
    .transaction((): BulkInviteOutcome[] =>
      requests.map((request): BulkInviteOutcome => {
        const user = findUser(db, request.userId);
        if (user?.revokedAt != null) return 'revoked';
        if (user?.identityKey) return 'enrolled';
        const pending = (live.get(request.userId, now) as { n: number }).n > 0;
        if (pending && !renew) return 'already-invited';
        const cancelled = cancel.run(now, request.userId).changes;
        insert.run(request.codeHash, request.userId, request.displayName, now, request.expiresAt);
        appendAudit(db, 'cli', 'invite.created', request.userId, { expiresAt: request.expiresAt, cancelledOlder: cancelled, bulk: 1 }, now);
        return pending ? 'renewed' : 'invited';
      }),
    )
    .immediate();
}
