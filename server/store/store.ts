import type { AuditAction, AuditActor, AuditEntry } from '../db/audit';
import type { DirectoryChanges, DirectoryRecord } from '../db/directory';
import type { BulkInviteOutcome, BulkInviteRequest } from '../db/bulk-invites';
import type { InviteOutcome, InviteRequest, InviteState, PendingInvite, RedeemOutcome, Redemption } from '../db/invites';
import type { RevokeOutcome } from '../db/revocations';
import type { SettingName } from '../db/settings';
import type { UserRecord } from '../db/users';

export type { BulkInviteOutcome, BulkInviteRequest };
export type { AuditAction, AuditActor, AuditEntry, DirectoryChanges, DirectoryRecord, InviteOutcome, InviteRequest, InviteState, PendingInvite, RedeemOutcome, Redemption, RevokeOutcome, SettingName, UserRecord };

/** A revocation as every server instance learns of it; its directory change is read with directoryChangesAfter. */
export interface RevocationEvent {
  userId: string;
}

/**
 * Group calls' KeyPackages: server/db/key-packages.ts for SQLite, one Lua script per step for
 * Redis (redis-scripts.ts); store.test.ts runs one contract on both.
 */
export interface KeyPackageStore {
  /** Replaces the user's set; 'no-device' if they have no live device (revoked meanwhile). */
  publish(userId: string, packages: readonly Uint8Array[], lastResort: Uint8Array): Promise<'published' | 'no-device'>;
  /** One package per user, one-time ones consumed first, then the last-resort one (kept). */
  take(userIds: readonly string[]): Promise<Map<string, Uint8Array>>;
  /** One-time packages left, for tests and the operator. */
  oneTimeCount(userId: string): Promise<number>;
}

/**
 * One instance's copy of its running group calls, written as each changes, read at start. Several
 * instances keep their groups in Redis instead (server/cluster/redis-group-relay.ts), so only the
 * SQLite store has one. Synchronous, as the one-instance group relay is.
 */
export interface GroupCallStore {
  save(groupId: string, doc: string | null): void;
  load(): { groupId: string; doc: string }[];
}

export type StoreHealth = { ok: true; schemaVersion: number } | { ok: false };

/** Stops a revocation watch. */
export type StopWatching = () => void;

/**
 * Everything the server and the admin CLI keep durably: users and their live device key, invites,
 * revocations, the audit log, settings, last-seen times and the directory's versions. One
 * instance uses SqliteStore (a file in the data directory); several share one RedisStore
 * (docs/deployment.md). Every method that changes more than one thing does it atomically.
 */
export interface Store {
  /** What backs it, for logs and /healthz: never a URL or a password. */
  readonly kind: 'sqlite' | 'redis';
  readonly keyPackages: KeyPackageStore;
  readonly groupCalls?: GroupCallStore;

  findUser(id: string): Promise<UserRecord | undefined>;
  /** Every user, revoked and not-yet-enrolled ones included, by id. */
  allUsers(): Promise<UserRecord[]>;
  /** Batched: a last-seen time is not worth a durable write per login. Unknown ids are ignored. */
  recordLastSeen(seen: ReadonlyMap<string, number>): Promise<void>;

  createInvite(request: InviteRequest, now?: number): Promise<InviteOutcome>;
  /** A list at once (all written or none), one outcome per request in its order. */
  createBulkInvites(requests: readonly BulkInviteRequest[], renew: boolean, now?: number): Promise<BulkInviteOutcome[]>;
  inviteState(codeHash: Uint8Array, now?: number): Promise<InviteState>;
  /** Spends the invite and registers the key in one step: of two racing redemptions, one wins. */
  redeemInvite(redemption: Redemption, now?: number): Promise<RedeemOutcome>;
  pendingInvites(now?: number): Promise<PendingInvite[]>;

  revokeUser(userId: string, reason: string | undefined, now?: number): Promise<RevokeOutcome>;
  /**
   * Calls back once for each revocation made after the returned promise resolves, by any process,
   * in order. `pollMs` bounds how late one may arrive when no push reaches this process.
   */
  watchRevocations(onRevoked: (event: RevocationEvent) => void, pollMs: number): Promise<StopWatching>;

  appendAudit(actor: AuditActor, action: AuditAction, subject: string, detail?: Readonly<Record<string, string | number>>, at?: number): Promise<void>;
  /** Newest first. */
  readAudit(limit?: number): Promise<AuditEntry[]>;

  readSetting(name: SettingName): Promise<string | undefined>;
  writeSetting(name: SettingName, value: string): Promise<void>;

  /**
   * Every user whose last enrolment, re-key or revocation came after version `after` (0: every user
   * the directory ever listed, tombstones included), in version order, with the store's epoch and
   * version read at the same moment. Costs the changes, not the company.
   */
  directoryChangesAfter(after: number): Promise<DirectoryChanges>;
  directoryVersion(): Promise<{ epoch: string; version: number }>;

  health(): Promise<StoreHealth>;
  /** Waits for writes already asked for, then lets go of the file or the connection. */
  close(): Promise<void>;
}
