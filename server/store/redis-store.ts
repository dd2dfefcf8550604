import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { fromBase64Url, toBase64Url } from '../../shared/crypto/bytes';
import type { AuditAction, AuditActor, AuditEntry } from '../db/audit';
import type { BulkInviteOutcome, BulkInviteRequest } from '../db/bulk-invites';
import type { InviteOutcome, InviteRequest, InviteState, PendingInvite, RedeemOutcome, Redemption } from '../db/invites';
import type { RevokeOutcome } from '../db/revocations';
import type { SettingName } from '../db/settings';
import type { UserRecord } from '../db/users';
import { checkRedisUrl } from './redis-url';
import {
  APPEND_AUDIT,
  BULK_INVITE,
  CREATE_INVITE,
  DIRECTORY_CHANGES_AFTER,
  KEY_PREFIX,
  PUBLISH_KEY_PACKAGES,
  RECORD_LAST_SEEN,
  REDEEM_INVITE,
  REVOCATION_CHANNEL,
  REVOKE_USER,
  TAKE_KEY_PACKAGES,
} from './redis-scripts';
import type { DirectoryChanges, KeyPackageStore, RevocationEvent, StopWatching, Store, StoreHealth } from './store';

/** The layout of the keys under `sealcall:`; a newer layout is refused rather than guessed at. */
export const REDIS_SCHEMA_VERSION = 1;

const key = {
  schema: `${KEY_PREFIX}schema`,
  settings: `${KEY_PREFIX}settings`,
  users: `${KEY_PREFIX}users`,
  user: (id: string) => `${KEY_PREFIX}user:${id}`,
  devices: (id: string) => `${KEY_PREFIX}devices:${id}`,
  invites: `${KEY_PREFIX}invites`,
  invitesOf: (userId: string) => `${KEY_PREFIX}invites:${userId}`,
  invite: (hashHex: string) => `${KEY_PREFIX}invite:${hashHex}`,
  revocations: `${KEY_PREFIX}revocations`,
  audit: `${KEY_PREFIX}audit`,
  auditSeq: `${KEY_PREFIX}audit:seq`,
  dirVersion: `${KEY_PREFIX}dir:version`,
  keyPackages: (id: string) => `${KEY_PREFIX}key-packages:${id}`,
};

export interface RedisStoreOptions {
  /**
   * The admin vouches that Redis persists every write (managed Redis that hides CONFIG): skip the
   * appendonly / appendfsync check.
   */
  persistenceCheckedByAdmin?: boolean;
  /** Told of each connection error (ioredis keeps reconnecting); the text never holds the password. */
  onConnectionError?: (message: string) => void;
}

export class RedisPersistenceError extends Error {
  override readonly name = 'RedisPersistenceError';
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const nullableNumber = (value: string | undefined) => (value === undefined ? null : Number(value));
const text = (error: unknown) => (error instanceof Error ? error.message : String(error));

function userFrom(id: string, fields: Record<string, string>): UserRecord | undefined {
  const { displayName, createdAt } = fields;
  if (displayName === undefined || createdAt === undefined) return undefined;
  return {
    id,
    displayName,
    createdAt: Number(createdAt),
    revokedAt: nullableNumber(fields.revokedAt),
    lastSeenAt: nullableNumber(fields.lastSeenAt),
    identityKey: fields.identityKey === undefined ? null : new Uint8Array(Buffer.from(fields.identityKey, 'base64')),
    deviceName: fields.deviceName ?? null,
    enrolledAt: nullableNumber(fields.enrolledAt),
    dirVersion: Number(fields.dirVersion ?? 0),
  };
}

function parseJson(reply: unknown): unknown {
  if (typeof reply !== 'string') throw new Error('Redis answered a script with something other than text');
  return JSON.parse(reply);
}

/**
 * The store shared by several server instances (docs/deployment.md): every check-and-write is one
 * Lua script (redis-scripts.ts), revocations are pushed to every instance by pub/sub, with a poll
 * of the revocation list as the fallback for a message lost while a connection was down.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  /** Group calls' KeyPackages: the same behaviour as SQLite's (store.test.ts runs both), each step one script. */
  readonly keyPackages: KeyPackageStore = {
    publish: async (userId, packages, lastResort) => {
      const outcome = await this.redis.eval(PUBLISH_KEY_PACKAGES, 0, userId, toBase64Url(lastResort), ...packages.map(toBase64Url));
      if (outcome !== 'published' && outcome !== 'no-device') throw new Error('Redis answered a KeyPackage publish with something unexpected');
      return outcome;
    },
    take: async (userIds) => {
      const asked = [...new Set(userIds)];
      const found = new Map<string, Uint8Array>();
      if (asked.length === 0) return found;
      const reply = await this.redis.eval(TAKE_KEY_PACKAGES, 0, ...asked);
      if (!Array.isArray(reply)) throw new Error('Redis answered a KeyPackage fetch with something other than a list');
      for (let index = 0; index + 1 < reply.length; index += 2) {
        const [userId, bytes] = [reply[index] as unknown, reply[index + 1] as unknown];
        if (typeof userId !== 'string' || typeof bytes !== 'string') throw new Error('Redis answered a KeyPackage fetch with a malformed pair');
        found.set(userId, fromBase64Url(bytes));
      }
      return found;
    },
    oneTimeCount: (userId) => this.redis.llen(key.keyPackages(userId)),
  };
  private readonly subscribers = new Set<Redis>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly redis: Redis,
    /** The URL without its password, for messages. */
    readonly shownUrl: string,
  ) {}

  /** Connects, checks persistence and the key layout's version, and makes the directory epoch. */
  static async open(rawUrl: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const { url, shown } = checkRedisUrl(rawUrl);
    // Fail fast at start (a wrong URL is an admin's typo); once up, reconnect forever.
    let starting = true;
    const redis = new Redis(url, {
      lazyConnect: true,
      retryStrategy: (attempt) => (starting ? null : Math.min(attempt * 200, 2000)),
    });
    // Without a listener ioredis writes each error to stderr itself, outside the JSON log.
    redis.on('error', (error: unknown) => { if (!starting) options.onConnectionError?.(text(error)); });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new Error(`cannot reach Redis at ${shown}: ${text(error)}`, { cause: error });
    }
    starting = false;
    const store = new RedisStore(redis, shown);
    try {
      if (options.persistenceCheckedByAdmin !== true) await store.checkPersistence();
      await store.checkSchema();
      // Made once per store, as SQLite's (server/db/directory.ts): 16 random bytes, base64url.
      await redis.hsetnx(key.settings, 'directory_epoch', randomBytes(16).toString('base64url'));
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return store;
  }

  private async checkPersistence(): Promise<void> {
    const read = async (name: string) => {
      try {
        const reply = (await this.redis.config('GET', name)) as unknown;
        return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
      } catch {
        return undefined;
      }
    };
    const appendonly = await read('appendonly');
    const appendfsync = await read('appendfsync');
    if (appendonly === undefined || appendfsync === undefined) {
      throw new RedisPersistenceError(
        `Redis at ${this.shownUrl} does not let us read its persistence settings (CONFIG GET is refused). ` +
          'If you have made sure it runs with appendonly yes and appendfsync always, pass --redis-persistence-checked-by-admin.',
      );
    }
    if (appendonly !== 'yes' || appendfsync !== 'always') {
      throw new RedisPersistenceError(
        `Redis at ${this.shownUrl} runs with appendonly ${appendonly} and appendfsync ${appendfsync}: an enrolment or a revocation ` +
          'it acknowledged could be lost in a crash. Set appendonly yes and appendfsync always (docs/deployment.md), ' +
          'or pass --redis-persistence-checked-by-admin if Redis persists every write in another way.',
      );
    }
  }

  private async checkSchema(): Promise<void> {
    const stored = await this.redis.get(key.schema);
    if (stored === null) {
      await this.redis.setnx(key.schema, String(REDIS_SCHEMA_VERSION));
      return;
    }
    if (Number(stored) > REDIS_SCHEMA_VERSION) {
      throw new Error(`the Redis store has layout version ${stored}, newer than this server knows (${REDIS_SCHEMA_VERSION}); run a newer sealcall-server`);
    }
  }

  async findUser(id: string): Promise<UserRecord | undefined> {
    return userFrom(id, await this.redis.hgetall(key.user(id)));
  }

  async allUsers(): Promise<UserRecord[]> {
    const ids = (await this.redis.smembers(key.users)).sort();
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(key.user(id));
    const replies = (await pipeline.exec()) ?? [];
    const users: UserRecord[] = [];
    ids.forEach((id, index) => {
      const [error, fields] = replies[index] ?? [];
      if (error) throw error;
      const user = userFrom(id, fields as Record<string, string>);
      if (user) users.push(user);
    });
    return users;
  }

  async recordLastSeen(seen: ReadonlyMap<string, number>): Promise<void> {
    if (seen.size === 0) return;
    const args: string[] = [];
    for (const [id, at] of seen) args.push(id, String(at));
    await this.redis.eval(RECORD_LAST_SEEN, 0, ...args);
  }

  async createInvite(request: InviteRequest, now: number = Date.now()): Promise<InviteOutcome> {
    const args = [request.userId, request.displayName, hex(request.codeHash), String(now), String(request.expiresAt), request.reinstate ? '1' : '0'];
    return parseJson(await this.redis.eval(CREATE_INVITE, 0, ...args)) as InviteOutcome;
  }

  async createBulkInvites(requests: readonly BulkInviteRequest[], renew: boolean, now: number = Date.now()): Promise<BulkInviteOutcome[]> {
    // cjson writes an empty table as {}, not []: nothing to send anyway.
    if (requests.length === 0) return [];
    const args = [String(now), renew ? '1' : '0'];
    for (const request of requests) args.push(request.userId, request.displayName, hex(request.codeHash), String(request.expiresAt));
    return parseJson(await this.redis.eval(BULK_INVITE, 0, ...args)) as BulkInviteOutcome[];
  }

  async inviteState(codeHash: Uint8Array, now: number = Date.now()): Promise<InviteState> {
    const [userId, expiresAt, usedAt, cancelledAt] = await this.redis.hmget(key.invite(hex(codeHash)), 'userId', 'expiresAt', 'usedAt', 'cancelledAt');
    if (userId === null || cancelledAt !== null) return 'invite-invalid';
    if (usedAt !== null) return 'invite-used';
    if (Number(expiresAt) <= now) return 'invite-expired';
    return 'valid';
  }

  async redeemInvite(redemption: Redemption, now: number = Date.now()): Promise<RedeemOutcome> {
    const args = [
      hex(redemption.codeHash),
      Buffer.from(redemption.identityKey).toString('base64'),
      redemption.deviceName,
      String(now),
      JSON.stringify({ keyFingerprint: redemption.keyFingerprint }),
    ];
    return parseJson(await this.redis.eval(REDEEM_INVITE, 0, ...args)) as RedeemOutcome;
  }

  async pendingInvites(now: number = Date.now()): Promise<PendingInvite[]> {
    const hashes = await this.redis.smembers(key.invites);
    const pipeline = this.redis.pipeline();
    for (const hash of hashes) pipeline.hmget(key.invite(hash), 'userId', 'displayName', 'createdAt', 'expiresAt', 'usedAt', 'cancelledAt');
    const pending: PendingInvite[] = [];
    for (const [error, reply] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const [userId, displayName, createdAt, expiresAt, usedAt, cancelledAt] = reply as (string | null)[];
      if (!userId || displayName == null || usedAt != null || cancelledAt != null || Number(expiresAt) <= now) continue;
      pending.push({ userId, displayName, createdAt: Number(createdAt), expiresAt: Number(expiresAt) });
    }
    return pending.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  }

  async revokeUser(userId: string, reason: string | undefined, now: number = Date.now()): Promise<RevokeOutcome> {
    return (await this.redis.eval(REVOKE_USER, 0, userId, reason ?? '', String(now))) as RevokeOutcome;
  }

  async watchRevocations(onRevoked: (event: RevocationEvent) => void, pollMs: number): Promise<StopWatching> {
    const feed = new RevocationFeed(this.redis, this.subscribers, onRevoked);
    const stop = feed.start(pollMs);
    await feed.ready;
    return stop;
  }

  async appendAudit(actor: AuditActor, action: AuditAction, subject: string, detail?: Readonly<Record<string, string | number>>, at: number = Date.now()): Promise<void> {
    await this.redis.eval(APPEND_AUDIT, 0, String(at), actor, action, subject, detail ? JSON.stringify(detail) : '');
  }

  async readAudit(limit = 1000): Promise<AuditEntry[]> {
    const entries = await this.redis.xrevrange(key.audit, '+', '-', 'COUNT', limit);
    return entries.map(([, fields]) => {
      const field = new Map<string, string>();
      for (let index = 0; index + 1 < fields.length; index += 2) field.set(fields[index] ?? '', fields[index + 1] ?? '');
      const detail = field.get('detail') ?? '';
      return {
        id: Number(field.get('id')),
        at: Number(field.get('at')),
        actor: field.get('actor') as AuditActor,
        action: field.get('action') as AuditAction,
        subject: field.get('subject') ?? null,
        detail: detail === '' ? null : detail,
      };
    });
  }

  async readSetting(name: SettingName): Promise<string | undefined> {
    return (await this.redis.hget(key.settings, name)) ?? undefined;
  }

  async writeSetting(name: SettingName, value: string): Promise<void> {
    await this.redis.hset(key.settings, name, value);
  }

  async directoryChangesAfter(after: number): Promise<DirectoryChanges> {
    if (!Number.isSafeInteger(after) || after < 0) throw new Error('a directory version is a whole number from 0');
    const reply = (await this.redis.eval(DIRECTORY_CHANGES_AFTER, 0, String(after))) as (string | null)[];
    const [epoch, version, ...flat] = reply;
    if (typeof epoch !== 'string') throw new Error('the Redis store has no directory epoch');
    const records: DirectoryChanges['records'] = [];
    for (let index = 0; index + 3 < flat.length; index += 4) {
      const identityKey = flat[index + 2];
      records.push({
        id: flat[index] ?? '',
        displayName: flat[index + 1] ?? '',
        identityKey: identityKey == null ? null : new Uint8Array(Buffer.from(identityKey, 'base64')),
        version: Number(flat[index + 3]),
      });
    }
    return { epoch, version: Number(version), records };
  }

  async directoryVersion(): Promise<{ epoch: string; version: number }> {
    const [epoch, version] = await this.redis.multi().hget(key.settings, 'directory_epoch').get(key.dirVersion).exec().then((replies) => (replies ?? []).map(([, value]) => value));
    if (typeof epoch !== 'string') throw new Error('the Redis store has no directory epoch');
    return { epoch, version: Number(version ?? 0) };
  }

  async health(): Promise<StoreHealth> {
    try {
      const schema = await this.redis.get(key.schema);
      return schema === null ? { ok: false } : { ok: true, schemaVersion: Number(schema) };
    } catch {
      return { ok: false };
    }
  }

  /** The raw client, for the store's own helpers (migration); never for a URL or a password. */
  get client(): Redis {
    return this.redis;
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      for (const subscriber of this.subscribers) subscriber.disconnect();
      this.subscribers.clear();
      // QUIT is answered after every command sent before it: pending writes are not dropped.
      await this.redis.quit().catch(() => { this.redis.disconnect(); });
    })());
  }
}

/**
 * Revocations in order, each once: a pub/sub message or a poll tick only prompts a read of the
 * revocation list past the last one delivered, so a message lost while the subscriber was
 * reconnecting is caught by the next poll, and neither path delivers twice.
 */
class RevocationFeed {
  readonly ready: Promise<void>;
  private delivered = 0;
  private reading: Promise<void> = Promise.resolve();
  private stopped = false;
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly subscribers: Set<Redis>,
    private readonly onRevoked: (event: RevocationEvent) => void,
  ) {
    let began: () => void = () => {};
    this.ready = new Promise((resolve) => { began = resolve; });
    this.reading = this.begin().finally(began);
  }

  start(pollMs: number): StopWatching {
    this.timer = setInterval(() => { this.check(); }, pollMs);
    this.timer.unref();
    return () => {
      this.stopped = true;
      clearInterval(this.timer);
      if (this.subscriber) {
        this.subscribers.delete(this.subscriber);
        this.subscriber.disconnect();
      }
    };
  }

  private async begin(): Promise<void> {
    try {
      this.delivered = await this.redis.llen(key.revocations);
      const subscriber = this.redis.duplicate();
      subscriber.on('error', () => {});
      subscriber.on('message', () => { this.check(); });
      this.subscriber = subscriber;
      this.subscribers.add(subscriber);
      if (this.stopped) subscriber.disconnect();
      else await subscriber.subscribe(REVOCATION_CHANNEL);
    } catch {
      // Redis is unreachable for now: the poll reads from the start point once it is back.
    }
  }

  private check(): void {
    this.reading = this.reading.then(() => this.readNew()).catch(() => {});
  }

  /** A method, not the field: a callback may stop the watch in the middle of a batch. */
  private watching(): boolean {
    return !this.stopped;
  }

  private async readNew(): Promise<void> {
    if (!this.watching()) return;
    const entries = await this.redis.lrange(key.revocations, this.delivered, -1);
    for (const entry of entries) {
      this.delivered += 1;
      const parsed = JSON.parse(entry) as { userId?: unknown };
      if (typeof parsed.userId === 'string' && this.watching()) this.onRevoked({ userId: parsed.userId });
    }
  }
}
