import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashInviteCode, newInviteCode } from '../auth/invite-code';
import { removeDataDir, tempDataDir } from '../test-support/harness.fixture';
import { startRedis, type RedisProcess } from '../test-support/redis-server.fixture';
import { RedisStore } from './redis-store';
import { SqliteStore } from './sqlite-store';
import type { RevocationEvent, Store } from './store';

/*
 * One behaviour, two stores: every test here runs against a real SQLite file and a real
 * redis-server. "Another process" is a second store opened on the same file or the same Redis,
 * as the admin CLI or a second server instance would.
 */

interface Backend {
  name: string;
  /** A fresh, empty store location for one test. */
  fresh(): Promise<void>;
  open(): Promise<Store>;
  /** How often a revocation watch polls: Redis must not need the poll (pub/sub pushes). */
  watchPollMs: number;
}

let redis: RedisProcess | undefined;
const dataDirs: string[] = [];
let dataDir = '';

const backends: Backend[] = [
  {
    name: 'SqliteStore',
    fresh: () => {
      dataDir = tempDataDir();
      dataDirs.push(dataDir);
      return Promise.resolve();
    },
    open: () => Promise.resolve(SqliteStore.open(dataDir)),
    watchPollMs: 20,
  },
  {
    name: 'RedisStore',
    fresh: async () => {
      const admin = new Redis(redisUrl());
      await admin.flushall();
      admin.disconnect();
    },
    open: () => RedisStore.open(redisUrl()),
    watchPollMs: 3_600_000,
  },
];

function redisUrl(): string {
  if (!redis) throw new Error('redis-server did not start');
  return redis.url;
}

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  for (const dir of dataDirs.splice(0)) removeDataDir(dir);
});

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const keyOf = (n: number) => new Uint8Array(33).fill(n);

describe.each(backends)('$name', (backend) => {
  async function open(): Promise<Store> {
    const store = await backend.open();
    opened.push(store);
    return store;
  }

  async function fresh(): Promise<Store> {
    await backend.fresh();
    return open();
  }

  async function invite(store: Store, userId: string, options: { reinstate?: boolean; expiresAt?: number; now?: number } = {}) {
    const code = newInviteCode();
    const codeHash = hashInviteCode(code);
    const outcome = await store.createInvite(
      { userId, displayName: `${userId} name`, codeHash, expiresAt: options.expiresAt ?? NOW + HOUR, reinstate: options.reinstate ?? false },
      options.now ?? NOW,
    );
    return { code, codeHash, outcome };
  }

  const redemption = (codeHash: Uint8Array, n: number) => ({ codeHash, identityKey: keyOf(n), deviceName: `laptop ${n}`, keyFingerprint: `ff${n}` });

  it('enrolls: the invite is valid until redeemed, then the user has the key, at directory version 1', async () => {
    const store = await fresh();
    const { codeHash, outcome } = await invite(store, 'alice');
    expect(outcome).toEqual({ ok: true, existing: 'new', cancelled: 0 });
    expect(await store.inviteState(codeHash, NOW)).toBe('valid');
    expect(await store.pendingInvites(NOW)).toEqual([{ userId: 'alice', displayName: 'alice name', createdAt: NOW, expiresAt: NOW + HOUR }]);
    expect(await store.redeemInvite(redemption(codeHash, 1), NOW + 1)).toEqual({ ok: true, userId: 'alice', displayName: 'alice name', replacedKey: false, directoryVersion: 1 });
    expect(await store.findUser('alice')).toEqual({
      id: 'alice',
      displayName: 'alice name',
      createdAt: NOW + 1,
      revokedAt: null,
      lastSeenAt: null,
      identityKey: keyOf(1),
      deviceName: 'laptop 1',
      enrolledAt: NOW + 1,
      dirVersion: 1,
    });
    expect(await store.pendingInvites(NOW + 2)).toEqual([]);
    expect(await store.directoryVersion()).toMatchObject({ version: 1 });
    expect((await store.readAudit()).map((entry) => entry.action)).toEqual(['user.enrolled', 'invite.created']);
  });

  it('knows nobody who was only invited, and no invite it never made', async () => {
    const store = await fresh();
    await invite(store, 'alice');
    expect(await store.findUser('alice')).toBeUndefined();
    expect(await store.inviteState(hashInviteCode(newInviteCode()), NOW)).toBe('invite-invalid');
    expect(await store.redeemInvite(redemption(hashInviteCode(newInviteCode()), 1), NOW)).toEqual({ ok: false, reason: 'invite-invalid' });
    expect(await store.directoryChangesAfter(0)).toMatchObject({ version: 0, records: [] });
  });

  it('re-keys: a new invite for an enrolled user replaces the key and bumps the version', async () => {
    const store = await fresh();
    const first = await invite(store, 'alice');
    await store.redeemInvite(redemption(first.codeHash, 1), NOW);
    const second = await invite(store, 'alice', { now: NOW + 10 });
    expect(second.outcome).toEqual({ ok: true, existing: 'enrolled', cancelled: 0 });
    expect(await store.redeemInvite(redemption(second.codeHash, 2), NOW + 20)).toMatchObject({ ok: true, replacedKey: true, directoryVersion: 2 });
    expect(await store.findUser('alice')).toMatchObject({ identityKey: keyOf(2), deviceName: 'laptop 2', enrolledAt: NOW + 20, createdAt: NOW });
    expect((await store.readAudit(1))[0]).toMatchObject({ action: 'user.rekeyed', actor: 'server', subject: 'alice', detail: '{"keyFingerprint":"ff2"}' });
  });

  it('cancels the older unused invite when a new one is made', async () => {
    const store = await fresh();
    const first = await invite(store, 'alice');
    const second = await invite(store, 'alice', { now: NOW + 1 });
    expect(second.outcome).toMatchObject({ ok: true, cancelled: 1 });
    expect(await store.inviteState(first.codeHash, NOW + 2)).toBe('invite-invalid');
    expect(await store.inviteState(second.codeHash, NOW + 2)).toBe('valid');
  });

  it('refuses a second redemption of one code', async () => {
    const store = await fresh();
    const { codeHash } = await invite(store, 'alice');
    expect(await store.redeemInvite(redemption(codeHash, 1), NOW)).toMatchObject({ ok: true });
    expect(await store.inviteState(codeHash, NOW)).toBe('invite-used');
    expect(await store.redeemInvite(redemption(codeHash, 2), NOW)).toEqual({ ok: false, reason: 'invite-used' });
    expect(await store.findUser('alice')).toMatchObject({ identityKey: keyOf(1) });
    expect(await store.directoryVersion()).toMatchObject({ version: 1 });
  });

  it('lets exactly one of two clients racing with one code enroll', async () => {
    const store = await fresh();
    const other = await open();
    const { codeHash } = await invite(store, 'alice');
    const outcomes = await Promise.all([store.redeemInvite(redemption(codeHash, 1), NOW), other.redeemInvite(redemption(codeHash, 2), NOW)]);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, reason: 'invite-used' }]);
    const winner = outcomes[0].ok ? 1 : 2;
    expect(await other.findUser('alice')).toMatchObject({ identityKey: keyOf(winner) });
    expect(await store.directoryVersion()).toMatchObject({ version: 1 });
    expect((await store.readAudit()).filter((entry) => entry.action === 'user.enrolled')).toHaveLength(1);
  });

  it('lets two clients enroll two users with their own codes at once', async () => {
    const store = await fresh();
    const other = await open();
    const alice = await invite(store, 'alice');
    const bob = await invite(store, 'bob');
    const outcomes = await Promise.all([store.redeemInvite(redemption(alice.codeHash, 1), NOW), other.redeemInvite(redemption(bob.codeHash, 2), NOW)]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.directoryVersion : 0)).sort()).toEqual([1, 2]);
  });

  it('refuses an expired code at its expiry, and takes it a millisecond before', async () => {
    const store = await fresh();
    const { codeHash } = await invite(store, 'alice', { expiresAt: NOW + 1000 });
    expect(await store.inviteState(codeHash, NOW + 1000)).toBe('invite-expired');
    expect(await store.redeemInvite(redemption(codeHash, 1), NOW + 1000)).toEqual({ ok: false, reason: 'invite-expired' });
    expect(await store.pendingInvites(NOW + 1000)).toEqual([]);
    expect(await store.inviteState(codeHash, NOW + 999)).toBe('valid');
    expect(await store.redeemInvite(redemption(codeHash, 1), NOW + 999)).toMatchObject({ ok: true });
  });

  it('revokes: the key is retired, pending invites die, the user stays a tombstone', async () => {
    const store = await fresh();
    const { codeHash } = await invite(store, 'alice');
    await store.redeemInvite(redemption(codeHash, 1), NOW);
    const pending = await invite(store, 'alice', { now: NOW + 1 });
    expect(await store.revokeUser('alice', 'left', NOW + 2)).toBe('revoked');
    expect(await store.findUser('alice')).toMatchObject({ revokedAt: NOW + 2, identityKey: null });
    expect(await store.inviteState(pending.codeHash, NOW + 3)).toBe('invite-invalid');
    expect(await store.revokeUser('alice', undefined, NOW + 3)).toBe('already-revoked');
    expect((await store.readAudit(1))[0]).toMatchObject({ action: 'user.revoked', actor: 'cli', detail: '{"reason":"left","cancelledInvites":1}' });
  });

  it('says unknown-user for nobody, and keeps a revoked row for someone only invited', async () => {
    const store = await fresh();
    expect(await store.revokeUser('nobody', undefined, NOW)).toBe('unknown-user');
    expect(await store.allUsers()).toEqual([]);
    const { codeHash } = await invite(store, 'frank');
    expect(await store.revokeUser('frank', undefined, NOW + 1)).toBe('revoked');
    expect(await store.findUser('frank')).toMatchObject({ displayName: 'frank name', revokedAt: NOW + 1, identityKey: null });
    expect(await store.redeemInvite(redemption(codeHash, 1), NOW + 2)).toEqual({ ok: false, reason: 'invite-invalid' });
  });

  it('refuses to invite a revoked user unless reinstated, then lets them enroll again', async () => {
    const store = await fresh();
    const first = await invite(store, 'alice');
    await store.redeemInvite(redemption(first.codeHash, 1), NOW);
    await store.revokeUser('alice', undefined, NOW + 1);
    expect((await invite(store, 'alice', { now: NOW + 2 })).outcome).toEqual({ ok: false, reason: 'revoked' });
    const again = await invite(store, 'alice', { now: NOW + 3, reinstate: true });
    expect(again.outcome).toEqual({ ok: true, existing: 'reinstated', cancelled: 0 });
    expect(await store.redeemInvite(redemption(again.codeHash, 3), NOW + 4)).toMatchObject({ ok: true, replacedKey: false, directoryVersion: 3 });
    expect(await store.findUser('alice')).toMatchObject({ revokedAt: null, identityKey: keyOf(3) });
  });

  it('invites a list at once: only those who need a link get one, and a second run writes nothing', async () => {
    const store = await fresh();
    const enrolled = await invite(store, 'enrolled');
    await store.redeemInvite(redemption(enrolled.codeHash, 1), NOW);
    await invite(store, 'pending');
    await invite(store, 'gone');
    await store.revokeUser('gone', undefined, NOW);
    const expired = await invite(store, 'expired', { expiresAt: NOW + 5 });
    const person = (userId: string) => ({ userId, displayName: `${userId} name`, codeHash: hashInviteCode(newInviteCode()), expiresAt: NOW + HOUR });
    const list = () => ['new', 'enrolled', 'pending', 'gone', 'expired'].map(person);

    const first = list();
    expect(await store.createBulkInvites(first, false, NOW + 10)).toEqual(['invited', 'enrolled', 'already-invited', 'revoked', 'invited']);
    expect(await store.inviteState(first[0]?.codeHash ?? new Uint8Array(), NOW + 11)).toBe('valid');
    expect(await store.inviteState(first[2]?.codeHash ?? new Uint8Array(), NOW + 11)).toBe('invite-invalid');
    expect(await store.inviteState(expired.codeHash, NOW + 11)).toBe('invite-invalid');
    expect((await store.pendingInvites(NOW + 11)).map((pending) => pending.userId)).toEqual(['expired', 'new', 'pending']);
    const audited = (await store.readAudit()).length;

    expect(await store.createBulkInvites(list(), false, NOW + 20)).toEqual(['already-invited', 'enrolled', 'already-invited', 'revoked', 'already-invited']);
    expect((await store.readAudit()).length).toBe(audited);

    const renewed = list();
    expect(await store.createBulkInvites(renewed, true, NOW + 30)).toEqual(['renewed', 'enrolled', 'renewed', 'revoked', 'renewed']);
    expect(await store.inviteState(first[0]?.codeHash ?? new Uint8Array(), NOW + 31)).toBe('invite-invalid');
    expect(await store.inviteState(renewed[0]?.codeHash ?? new Uint8Array(), NOW + 31)).toBe('valid');
    expect(await store.createBulkInvites([], false, NOW + 40)).toEqual([]);
  });

  it('writes nothing of a list it cannot write whole', async () => {
    const store = await fresh();
    const codeHash = hashInviteCode(newInviteCode());
    const twice = ['ann', 'bob'].map((userId) => ({ userId, displayName: userId, codeHash, expiresAt: NOW + HOUR }));
    await expect(store.createBulkInvites(twice, false, NOW)).rejects.toThrow();
    expect(await store.pendingInvites(NOW)).toEqual([]);
    expect(await store.readAudit()).toEqual([]);
  });

  it('versions the directory: rows with their last change, tombstones, one epoch per store', async () => {
    const store = await fresh();
    const alice = await invite(store, 'alice');
    const bob = await invite(store, 'bob');
    await store.redeemInvite(redemption(alice.codeHash, 1), NOW);
    await store.redeemInvite(redemption(bob.codeHash, 2), NOW);
    await store.revokeUser('alice', undefined, NOW);
    const snapshot = await store.directoryChangesAfter(0);
    expect(snapshot.epoch).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(snapshot.version).toBe(3);
    expect(snapshot.records).toEqual([
      { id: 'bob', displayName: 'bob name', identityKey: keyOf(2), version: 2 },
      { id: 'alice', displayName: 'alice name', identityKey: null, version: 3 },
    ]);
    // A returning reader gets what changed after its version, nothing older.
    expect((await store.directoryChangesAfter(2)).records.map((record) => record.id)).toEqual(['alice']);
    expect(await store.directoryChangesAfter(3)).toEqual({ epoch: snapshot.epoch, version: 3, records: [] });
    expect(await store.directoryVersion()).toEqual({ epoch: snapshot.epoch, version: 3 });
    // The epoch is the store's: the same from another client, another for another store.
    expect((await (await open()).directoryVersion()).epoch).toBe(snapshot.epoch);
    const other = await fresh();
    expect((await other.directoryVersion()).epoch).not.toBe(snapshot.epoch);
  });

  it('tells a watcher about revocations made by another client, in order', async () => {
    const store = await fresh();
    const cli = await open();
    for (const [n, id] of ['alice', 'bob', 'carol'].entries()) {
      const { codeHash } = await invite(cli, id);
      await cli.redeemInvite(redemption(codeHash, n + 1), NOW);
    }
    // Made before the watch began: not reported.
    await cli.revokeUser('alice', undefined, NOW);
    const seen: RevocationEvent[] = [];
    let reportTwo: () => void = () => {};
    const two = new Promise<void>((resolve) => { reportTwo = resolve; });
    const stop = await store.watchRevocations((event) => {
      seen.push(event);
      if (seen.length === 2) reportTwo();
    }, backend.watchPollMs);
    await cli.revokeUser('bob', undefined, NOW);
    await cli.revokeUser('carol', undefined, NOW);
    await two;
    stop();
    expect(seen).toEqual([{ userId: 'bob' }, { userId: 'carol' }]);
  });

  it('records last-seen times for known users and creates nobody', async () => {
    const store = await fresh();
    const { codeHash } = await invite(store, 'alice');
    await store.redeemInvite(redemption(codeHash, 1), NOW);
    await store.recordLastSeen(new Map([['alice', NOW + 5], ['ghost', NOW + 6]]));
    expect(await store.findUser('alice')).toMatchObject({ lastSeenAt: NOW + 5 });
    expect(await store.findUser('ghost')).toBeUndefined();
    expect((await store.allUsers()).map((user) => user.id)).toEqual(['alice']);
    expect(await store.directoryVersion()).toMatchObject({ version: 1 });
  });

  it('keeps an audit log, newest first, that holds no enrolment code', async () => {
    const store = await fresh();
    const { code, codeHash } = await invite(store, 'alice');
    await store.redeemInvite(redemption(codeHash, 1), NOW);
    await store.appendAudit('server', 'user.reinstated', 'bob', { note: 'x', n: 2 }, NOW + 7);
    const entries = await store.readAudit();
    expect(entries.map((entry) => [entry.action, entry.subject])).toEqual([['user.reinstated', 'bob'], ['user.enrolled', 'alice'], ['invite.created', 'alice']]);
    expect(entries[0]).toMatchObject({ at: NOW + 7, actor: 'server', detail: '{"note":"x","n":2}' });
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(3);
    expect(await store.readAudit(2)).toHaveLength(2);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(code);
    expect(text).not.toContain(Buffer.from(codeHash).toString('hex'));
  });

  it('keeps settings and reports its health', async () => {
    const store = await fresh();
    expect(await store.readSetting('public_url')).toBeUndefined();
    await store.writeSetting('public_url', 'wss://calls.example.com/ws');
    expect(await (await open()).readSetting('public_url')).toBe('wss://calls.example.com/ws');
    expect(await store.health()).toMatchObject({ ok: true });
  });

  describe('KeyPackages', () => {
    const pkg = (fill: number) => new Uint8Array(10).fill(fill);
    const firstByte = (found: Map<string, Uint8Array>, userId: string) => found.get(userId)?.[0];
    async function enrolled(store: Store, userId: string, n: number): Promise<void> {
      const { codeHash } = await invite(store, userId, { reinstate: true });
      expect(await store.redeemInvite(redemption(codeHash, n), NOW)).toMatchObject({ ok: true });
    }

    it('hands out one-time packages once each, oldest first, then the last-resort one, which stays', async () => {
      const store = await fresh();
      await enrolled(store, 'alice', 1);
      await enrolled(store, 'bob', 2);
      expect(await store.keyPackages.publish('bob', [pkg(1), pkg(2)], pkg(9))).toBe('published');
      expect(await store.keyPackages.oneTimeCount('bob')).toBe(2);
      const first = await store.keyPackages.take(['bob', 'alice', 'bob']);
      expect(firstByte(first, 'bob')).toBe(1);
      expect(first.has('alice')).toBe(false);
      expect(firstByte(await store.keyPackages.take(['bob']), 'bob')).toBe(2);
      expect(await store.keyPackages.oneTimeCount('bob')).toBe(0);
      expect(firstByte(await store.keyPackages.take(['bob']), 'bob')).toBe(9);
      expect(firstByte(await store.keyPackages.take(['bob']), 'bob')).toBe(9);
    });

    it('replaces the whole set on publish', async () => {
      const store = await fresh();
      await enrolled(store, 'bob', 2);
      await store.keyPackages.publish('bob', [pkg(1), pkg(2)], pkg(9));
      await store.keyPackages.publish('bob', [pkg(5)], pkg(8));
      expect(await store.keyPackages.oneTimeCount('bob')).toBe(1);
      expect(firstByte(await store.keyPackages.take(['bob']), 'bob')).toBe(5);
      expect(firstByte(await store.keyPackages.take(['bob']), 'bob')).toBe(8);
    });

    it('gives each of many racing fetchers from another process a different one-time package', async () => {
      const store = await fresh();
      await enrolled(store, 'bob', 2);
      await store.keyPackages.publish('bob', Array.from({ length: 20 }, (_, n) => pkg(n + 1)), pkg(99));
      const other = await open();
      const taken = await Promise.all(Array.from({ length: 24 }, (_, n) => (n % 2 === 0 ? store : other).keyPackages.take(['bob'])));
      const firsts = taken.map((found) => firstByte(found, 'bob'));
      expect(new Set(firsts.filter((byte) => byte !== 99)).size).toBe(20);
      expect(firsts.filter((byte) => byte === 99)).toHaveLength(4);
    });

    it('deletes a device’s packages when a new enrolment replaces it or it is revoked, and a revoked user cannot publish', async () => {
      const store = await fresh();
      await enrolled(store, 'bob', 2);
      await enrolled(store, 'carol', 3);
      await store.keyPackages.publish('bob', [pkg(1)], pkg(9));
      await store.keyPackages.publish('carol', [pkg(1)], pkg(9));
      await enrolled(store, 'bob', 4);
      expect((await store.keyPackages.take(['bob'])).size).toBe(0);
      expect(await store.keyPackages.oneTimeCount('bob')).toBe(0);
      expect(await store.revokeUser('carol', undefined, NOW + 1)).toBe('revoked');
      expect((await store.keyPackages.take(['carol'])).size).toBe(0);
      expect(await store.keyPackages.oneTimeCount('carol')).toBe(0);
      expect(await store.keyPackages.publish('carol', [pkg(1)], pkg(9))).toBe('no-device');
      expect(await store.keyPackages.publish('nobody', [pkg(1)], pkg(9))).toBe('no-device');
    });
  });
});
