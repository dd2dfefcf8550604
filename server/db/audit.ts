import type { Database } from 'better-sqlite3';

export type AuditActor = 'cli' | 'server';
export type AuditAction = 'invite.created' | 'invite.cancelled' | 'user.enrolled' | 'user.rekeyed' | 'user.revoked' | 'user.reinstated';

export interface AuditEntry {
  id: number;
  at: number;
  actor: AuditActor;
  action: AuditAction;
  subject: string | null;
  detail: string | null;
}

/**
 * Appends to the audit log (triggers make it append-only). `detail` must never hold a secret: no
 * code, no signature; key fingerprints are fine.
 */
export function appendAudit(
  db: Database,
  actor: AuditActor,
  action: AuditAction,
  subject: string,
  detail?: Readonly<Record<string, string | number>>,
  at: number = Date.now(),
): void {
  db.prepare('INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)').run(
    at,
    actor,
    action,
    subject,
    detail ? JSON.stringify(detail) : null,
  );
}

export function readAudit(db: Database, limit = 1000): AuditEntry[] {
  return db.prepare('SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as AuditEntry[];
}
