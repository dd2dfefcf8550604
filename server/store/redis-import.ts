import { KEY_PREFIX } from './redis-scripts';
import type { RedisStore } from './redis-store';
import type { StoreDump } from './store-dump';

/** Keys whose presence means the Redis store is in use: copying over them would merge two companies' data. */
const IN_USE = ['users', 'invites', 'revocations', 'audit', 'dir:version'].map((name) => `${KEY_PREFIX}${name}`);

export type ImportOutcome = { ok: true; users: number; invites: number } | { ok: false; reason: 'not-empty' };

/**
 * Writes a dump into an empty Redis store in one MULTI/EXEC, under WATCH: if anything writes to
 * the store between the emptiness check and the copy (a server already started on it, a second
 * copy), nothing is written.
 */
export async function importDump(store: RedisStore, dump: StoreDump): Promise<ImportOutcome> {
  const redis = store.client;
  await redis.watch(...IN_USE);
  try {
    if ((await redis.exists(...IN_USE)) > 0) return { ok: false, reason: 'not-empty' };
    const multi = redis.multi();
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const fields = (record: Record<string, string | number | null | undefined>) =>
      Object.entries(record).flatMap(([name, value]) => (value === null || value === undefined ? [] : [name, String(value)]));
    for (const user of dump.users) {
      multi.hset(`${KEY_PREFIX}user:${user.id}`, ...fields({ displayName: user.displayName, createdAt: user.createdAt, revokedAt: user.revokedAt, lastSeenAt: user.lastSeenAt, dirVersion: user.dirVersion }));
      multi.sadd(`${KEY_PREFIX}users`, user.id);
      if (user.dirVersion > 0) multi.zadd(`${KEY_PREFIX}dir:changes`, user.dirVersion, user.id);
    }
    for (const device of dump.devices) {
      if (device.retiredAt === null) {
        multi.hset(`${KEY_PREFIX}user:${device.userId}`, 'identityKey', b64(device.identityKey), 'deviceName', device.deviceName, 'enrolledAt', String(device.enrolledAt));
      } else {
        const retired = { identityKey: b64(device.identityKey), deviceName: device.deviceName, enrolledAt: String(device.enrolledAt), retiredAt: String(device.retiredAt) };
        multi.rpush(`${KEY_PREFIX}devices:${device.userId}`, JSON.stringify(retired));
      }
    }
    for (const invite of dump.invites) {
      const hash = Buffer.from(invite.codeHash).toString('hex');
      const { userId, displayName, createdAt, expiresAt, usedAt, cancelledAt } = invite;
      multi.hset(`${KEY_PREFIX}invite:${hash}`, ...fields({ userId, displayName, createdAt, expiresAt, usedAt, cancelledAt }));
      multi.sadd(`${KEY_PREFIX}invites:${invite.userId}`, hash);
      multi.sadd(`${KEY_PREFIX}invites`, hash);
    }
    for (const revocation of dump.revocations) {
      const entry = { userId: revocation.userId, revokedAt: String(revocation.revokedAt), ...(revocation.reason === null ? {} : { reason: revocation.reason }) };
      multi.rpush(`${KEY_PREFIX}revocations`, JSON.stringify(entry));
    }
    for (const entry of dump.audit) {
      multi.xadd(`${KEY_PREFIX}audit`, '*', 'id', String(entry.id), 'at', String(entry.at), 'actor', entry.actor, 'action', entry.action, 'subject', entry.subject ?? '', 'detail', entry.detail ?? '');
    }
    const lastAuditId = dump.audit.reduce((max, entry) => Math.max(max, entry.id), 0);
    multi.set(`${KEY_PREFIX}audit:seq`, String(lastAuditId));
    multi.set(`${KEY_PREFIX}dir:version`, String(dump.directoryVersion));
    // The same epoch and versions: clients keep the directory they synced from the single instance.
    multi.hset(`${KEY_PREFIX}settings`, 'directory_epoch', dump.directoryEpoch);
    if (dump.publicUrl !== undefined) multi.hset(`${KEY_PREFIX}settings`, 'public_url', dump.publicUrl);
    const done = await multi.exec();
    if (done === null) return { ok: false, reason: 'not-empty' };
    for (const [error] of done) if (error) throw error;
    return { ok: true, users: dump.users.length, invites: dump.invites.length };
  } finally {
    await redis.unwatch();
  }
}
