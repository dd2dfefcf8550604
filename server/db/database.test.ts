import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDataDir, tempDataDir } from '../test-support/harness.fixture';
import { appendAudit, readAudit } from './audit';
import BetterSqlite3 from 'better-sqlite3';
import { DATABASE_FILE, openDatabase } from './database';
import { directoryRows, directoryVersion, ensureDirectoryEpoch } from './directory-version';
import { createInvite, inviteState, redeemInvite } from './invites';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from './migrations';
import { RevocationWatcher } from './revocation-watcher';
import { revokeUser } from './revocations';

const dirs: string[] = [];
const fresh = () => {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDataDir(dir);
});

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
    const watcher = new RevocationWatcher(server, (revocation) => seen.push(revocation.userId));
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

  it('versions a database written before the versioned directory: listed and revoked users start at version 1', () => {
    const dir = fresh();
    const old = new BetterSqlite3(path.join(dir, DATABASE_FILE));
    old.exec(MIGRATIONS[0]?.sql ?? '');
    old.pragma('user_version = 1');
    old.exec(`
      INSERT INTO users (id, display_name, created_at) VALUES ('alice', 'Alice', 1), ('carol', 'Carol', 1);
      INSERT INTO users (id, display_name, created_at, revoked_at) VALUES ('bob', 'Bob', 1, 2);
      INSERT INTO devices (user_id, identity_key, device_name, enrolled_at) VALUES ('alice', x'01', 'laptop', 1);
      INSERT INTO devices (user_id, identity_key, device_name, enrolled_at, retired_at) VALUES ('bob', x'02', 'laptop', 1, 2);
      INSERT INTO revocations (user_id, revoked_at) VALUES ('bob', 2);
    `);
    old.close();
    const db = openDatabase(dir);
    expect(directoryVersion(db)).toBe(1);
    expect(directoryRows(db)).toEqual([
      { id: 'alice', displayName: 'Alice', identityKey: new Uint8Array([1]), dirVersion: 1 },
      { id: 'bob', displayName: 'Bob', identityKey: null, dirVersion: 1 },
    ]);
    const epoch = ensureDirectoryEpoch(db);
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{22}$/);
    db.close();
    const reopened = openDatabase(dir);
    expect(ensureDirectoryEpoch(reopened)).toBe(epoch);
    reopened.close();
  });
});
