import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirsPerTest } from '../test-support/harness.fixture';
import { appendAudit, readAudit } from './audit';
import { DATABASE_FILE, openDatabase } from './database';
import { createInvite, inviteState, redeemInvite } from './invites';
import { SCHEMA_VERSION, migrate, schemaVersion } from './migrations';
import { RevocationWatcher } from './revocation-watcher';
import { revokeUser } from './revocations';

const fresh = dataDirsPerTest();

const key = new Uint8Array(33).fill(1);

describe('database', () => {
  it('opens in WAL mode with its schema version, private to its owner', () => {
    const dir = fresh();
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    db.close();
    expect(statSync(path.join(dir, DATABASE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses a database from a newer server', () => {
    const dir = fresh();
    const db = openDatabase(dir);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(dir)).toThrow(/newer than this server knows/);
  });

  it('keeps the audit log append-only', () => {
    const db = openDatabase(fresh());
    appendAudit(db, 'cli', 'user.revoked', 'alice', { reason: 'x' });
    expect(() => db.exec('UPDATE audit_log SET subject = NULL')).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log')).toThrow(/append-only/);
    expect(readAudit(db)).toHaveLength(1);
    db.close();
  });

  it('spends an invite once, and a revocation beats a pending invite', () => {
    const db = openDatabase(fresh());
    const hash = new Uint8Array(32).fill(2);
    createInvite(db, { userId: 'alice', displayName: 'Alice', codeHash: hash, expiresAt: Date.now() + 60_000, reinstate: false });
    const redemption = { codeHash: hash, identityKey: key, deviceName: 'laptop', keyFingerprint: 'ff' };
    expect(redeemInvite(db, redemption)).toMatchObject({ ok: true, userId: 'alice', replacedKey: false });
    expect(redeemInvite(db, redemption)).toEqual({ ok: false, reason: 'invite-used' });

    const second = new Uint8Array(32).fill(3);
    createInvite(db, { userId: 'alice', displayName: 'Alice', codeHash: second, expiresAt: Date.now() + 60_000, reinstate: false });
    expect(revokeUser(db, 'alice', undefined)).toBe('revoked');
    expect(inviteState(db, second)).toBe('invite-invalid');
    expect(redeemInvite(db, { ...redemption, codeHash: second })).toEqual({ ok: false, reason: 'invite-invalid' });
    expect(readAudit(db).map((entry) => entry.action)).toEqual(['user.revoked', 'invite.created', 'user.enrolled', 'invite.created']);
    db.close();
  });

  it('lets another process’s revocation reach the watcher', () => {
    const dir = fresh();
    const server = openDatabase(dir);
    const seen: string[] = [];
    const watcher = new RevocationWatcher(server, (userId) => seen.push(userId));
    const cli = openDatabase(dir);
    createInvite(cli, { userId: 'bob', displayName: 'Bob', codeHash: new Uint8Array(32).fill(4), expiresAt: Date.now() + 60_000, reinstate: false });
    watcher.check();
    expect(seen).toEqual([]);
    revokeUser(cli, 'bob', 'left');
    watcher.check();
    watcher.check();
    expect(seen).toEqual(['bob']);
    cli.close();
    server.close();
  });
});
