import { describe, expect, it } from 'vitest';
import { dataDirsPerTest } from '../test-support/harness.fixture';
import { openDatabase } from './database';
import { createInvite, redeemInvite } from './invites';
import { oneTimeKeyPackageCount, publishKeyPackages, takeKeyPackages } from './key-packages';
import { revokeUser } from './revocations';

const fresh = dataDirsPerTest();

let codes = 0;
function enroll(db: ReturnType<typeof openDatabase>, userId: string, keyByte: number): void {
  const codeHash = new Uint8Array(32).fill(++codes);
  createInvite(db, { userId, displayName: userId, codeHash, expiresAt: Date.now() + 60_000, reinstate: true });
  const outcome = redeemInvite(db, { codeHash, identityKey: new Uint8Array(33).fill(keyByte), deviceName: 'laptop', keyFingerprint: 'ff' });
  if (!outcome.ok) throw new Error(outcome.reason);
}

const pkg = (fill: number) => new Uint8Array(10).fill(fill);
const firstByte = (found: Map<string, Uint8Array>, userId: string) => found.get(userId)?.[0];

describe('KeyPackages in the database', () => {
  it('hands out one-time packages once each, oldest first, then the last-resort one, which stays', () => {
    const db = openDatabase(fresh());
    enroll(db, 'alice', 1);
    enroll(db, 'bob', 2);
    expect(publishKeyPackages(db, 'bob', [pkg(1), pkg(2)], pkg(9))).toBe('published');
    expect(oneTimeKeyPackageCount(db, 'bob')).toBe(2);
    const first = takeKeyPackages(db, ['bob', 'alice', 'bob']);
    expect(firstByte(first, 'bob')).toBe(1);
    expect(first.has('alice')).toBe(false);
    expect(firstByte(takeKeyPackages(db, ['bob']), 'bob')).toBe(2);
    expect(oneTimeKeyPackageCount(db, 'bob')).toBe(0);
    expect(firstByte(takeKeyPackages(db, ['bob']), 'bob')).toBe(9);
    expect(firstByte(takeKeyPackages(db, ['bob']), 'bob')).toBe(9);
  });

  it('replaces the whole set on publish', () => {
    const db = openDatabase(fresh());
    enroll(db, 'bob', 2);
    publishKeyPackages(db, 'bob', [pkg(1), pkg(2)], pkg(9));
    publishKeyPackages(db, 'bob', [pkg(5)], pkg(8));
    expect(oneTimeKeyPackageCount(db, 'bob')).toBe(1);
    expect(firstByte(takeKeyPackages(db, ['bob']), 'bob')).toBe(5);
    expect(firstByte(takeKeyPackages(db, ['bob']), 'bob')).toBe(8);
  });

  it('deletes a device’s packages when it is replaced by a new enrolment or revoked', () => {
    const db = openDatabase(fresh());
    enroll(db, 'bob', 2);
    enroll(db, 'carol', 3);
    publishKeyPackages(db, 'bob', [pkg(1)], pkg(9));
    publishKeyPackages(db, 'carol', [pkg(1)], pkg(9));
    enroll(db, 'bob', 4); // a new device: the old one's packages name the old key
    expect(takeKeyPackages(db, ['bob']).size).toBe(0);
    expect(revokeUser(db, 'carol', undefined)).toBe('revoked');
    expect(takeKeyPackages(db, ['carol']).size).toBe(0);
    expect(db.prepare('SELECT COUNT(*) AS n FROM key_packages').get()).toEqual({ n: 0 });
    // A revoked user, or one never enrolled, cannot publish.
    expect(publishKeyPackages(db, 'carol', [pkg(1)], pkg(9))).toBe('no-device');
    expect(publishKeyPackages(db, 'nobody', [pkg(1)], pkg(9))).toBe('no-device');
  });
});
