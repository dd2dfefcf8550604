import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dataDirsPerTest } from '../test-support/harness.fixture';
import { DATABASE_FILE, openDatabase } from './database';
import { directoryChangesAfter, directoryEpoch, directoryVersion } from './directory';
import { createInvite, redeemInvite } from './invites';
import { MIGRATIONS } from './migrations';
import { revokeUser } from './revocations';

const fresh = dataDirsPerTest();

let codes = 0;
function enroll(db: ReturnType<typeof openDatabase>, userId: string, keyByte: number) {
  const codeHash = new Uint8Array(32).fill(++codes);
  createInvite(db, { userId, displayName: userId.toUpperCase(), codeHash, expiresAt: Date.now() + 60_000, reinstate: true });
  const outcome = redeemInvite(db, { codeHash, identityKey: new Uint8Array(33).fill(keyByte), deviceName: 'laptop', keyFingerprint: 'ff' });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.directoryVersion;
}

describe('directory versions in the database', () => {
  it('bumps one counter with every enrolment, re-key and revocation, and keeps the revoked as tombstones', () => {
    const db = openDatabase(fresh());
    expect(directoryVersion(db)).toBe(0);
    expect(enroll(db, 'alice', 1)).toBe(1);
    expect(enroll(db, 'bob', 2)).toBe(2);
    expect(enroll(db, 'alice', 3)).toBe(3); // re-key
    expect(revokeUser(db, 'bob', undefined)).toBe('revoked');
    expect(directoryVersion(db)).toBe(4);

    const all = directoryChangesAfter(db, 0);
    expect(all.version).toBe(4);
    expect(all.records.map((record) => [record.id, record.version, record.identityKey?.[0] ?? null])).toEqual([
      ['alice', 3, 3],
      ['bob', 4, null],
    ]);
    expect(directoryChangesAfter(db, 3).records.map((record) => record.id)).toEqual(['bob']);
    expect(directoryChangesAfter(db, 4).records).toEqual([]);

    // A reinstatement alone changes nothing a client can call; the next enrolment does.
    createInvite(db, { userId: 'bob', displayName: 'Bob', codeHash: new Uint8Array(32).fill(200), expiresAt: Date.now() + 60_000, reinstate: true });
    expect(directoryVersion(db)).toBe(4);
    db.close();
  });

  it('makes the epoch once, and keeps it across openings', () => {
    const dir = fresh();
    const first = openDatabase(dir);
    const epoch = directoryEpoch(first);
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const second = openDatabase(dir);
    expect(directoryEpoch(second)).toBe(epoch);
    first.close();
    second.close();
    const other = openDatabase(fresh());
    expect(directoryEpoch(other)).not.toBe(epoch);
    other.close();
  });

  it('gives the users of a version-1 database versions in the order they joined', () => {
    const dir = fresh();
    const old = new BetterSqlite3(path.join(dir, DATABASE_FILE));
    const first = MIGRATIONS.find((migration) => migration.version === 1);
    if (!first) throw new Error('no migration 1');
    old.exec(first.sql);
    old.pragma('user_version = 1');
    const insertUser = old.prepare('INSERT INTO users (id, display_name, created_at, revoked_at) VALUES (?, ?, ?, ?)');
    insertUser.run('carol', 'Carol', 300, null);
    insertUser.run('alice', 'Alice', 100, null);
    insertUser.run('bob', 'Bob', 200, 250);
    old.prepare('INSERT INTO devices (user_id, identity_key, device_name, enrolled_at) VALUES (?, ?, ?, ?)').run('alice', Buffer.alloc(33, 1), 'l', 100);
    old.prepare('INSERT INTO devices (user_id, identity_key, device_name, enrolled_at) VALUES (?, ?, ?, ?)').run('carol', Buffer.alloc(33, 3), 'l', 300);
    old.close();

    const db = openDatabase(dir);
    expect(directoryVersion(db)).toBe(3);
    expect(directoryChangesAfter(db, 0).records.map((record) => [record.id, record.version, record.identityKey !== null])).toEqual([
      ['alice', 1, true],
      ['bob', 2, false],
      ['carol', 3, true],
    ]);
    expect(enroll(db, 'dave', 4)).toBe(4);
    db.close();
  });
});
