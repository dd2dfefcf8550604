import type { Database } from 'better-sqlite3';
import { appendAudit, readAudit } from '../db/audit';
import { openDatabase } from '../db/database';
import { directoryChangesAfter, directoryEpoch, directoryVersion } from '../db/directory';
import { dumpDatabase } from '../db/dump';
import { createBulkInvites } from '../db/bulk-invites';
import { loadGroupCalls, saveGroupCall } from '../db/group-calls';
import { oneTimeKeyPackageCount, publishKeyPackages, takeKeyPackages } from '../db/key-packages';
import { createInvite, inviteState, pendingInvites, redeemInvite } from '../db/invites';
import { schemaVersion } from '../db/migrations';
import { RevocationWatcher } from '../db/revocation-watcher';
import { revokeUser } from '../db/revocations';
import { readSetting, writeSetting } from '../db/settings';
import { allUsers, findUser, recordLastSeen } from '../db/users';
import type { GroupCallStore, KeyPackageStore, Store, StoreHealth } from './store';
import type { StoreDump } from './store-dump';

/**
 * One instance's store: the SQLite file in the data directory (server/db). better-sqlite3 is
 * synchronous, so each method's work is done by the time it returns its promise; that is what lets
 * the fatal-fault path write last-seen times just before the process exits.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private closed = false;
  readonly keyPackages: KeyPackageStore = {
    publish: (userId, packages, lastResort) => this.run(() => publishKeyPackages(this.db, userId, packages, lastResort)),
    take: (userIds) => this.run(() => takeKeyPackages(this.db, userIds)),
    oneTimeCount: (userId) => this.run(() => oneTimeKeyPackageCount(this.db, userId)),
  };
  readonly groupCalls: GroupCallStore = {
    save: (groupId, doc) => { saveGroupCall(this.db, groupId, doc); },
    load: () => loadGroupCalls(this.db),
  };

  private constructor(private readonly db: Database) {}

  static open(dataDir: string): SqliteStore {
    return new SqliteStore(openDatabase(dataDir));
  }

  findUser(id: string) {
    return Promise.resolve(findUser(this.db, id));
  }

  allUsers() {
    return Promise.resolve(allUsers(this.db));
  }

  recordLastSeen(seen: ReadonlyMap<string, number>) {
    return this.run(() => { recordLastSeen(this.db, seen); });
  }

  createInvite(...args: Parameters<Store['createInvite']>) {
    return this.run(() => createInvite(this.db, ...args));
  }

  createBulkInvites(...args: Parameters<Store['createBulkInvites']>) {
    return this.run(() => createBulkInvites(this.db, ...args));
  }

  inviteState(...args: Parameters<Store['inviteState']>) {
    return this.run(() => inviteState(this.db, ...args));
  }

  redeemInvite(...args: Parameters<Store['redeemInvite']>) {
    return this.run(() => redeemInvite(this.db, ...args));
  }

  pendingInvites(now?: number) {
    return this.run(() => pendingInvites(this.db, now));
  }

  revokeUser(...args: Parameters<Store['revokeUser']>) {
    return this.run(() => revokeUser(this.db, ...args));
  }

  watchRevocations(...[onRevoked, pollMs]: Parameters<Store['watchRevocations']>) {
    const watcher = new RevocationWatcher(this.db, (userId) => { onRevoked({ userId }); });
    watcher.start(pollMs);
    return Promise.resolve(() => { watcher.stop(); });
  }

  appendAudit(...args: Parameters<Store['appendAudit']>) {
    return this.run(() => { appendAudit(this.db, ...args); });
  }

  readAudit(limit?: number) {
    return this.run(() => readAudit(this.db, limit));
  }

  readSetting(...args: Parameters<Store['readSetting']>) {
    return this.run(() => readSetting(this.db, ...args));
  }

  writeSetting(...args: Parameters<Store['writeSetting']>) {
    return this.run(() => { writeSetting(this.db, ...args); });
  }

  directoryChangesAfter(after: number) {
    return this.run(() => directoryChangesAfter(this.db, after));
  }

  directoryVersion() {
    return this.run(() => ({ epoch: directoryEpoch(this.db), version: directoryVersion(this.db) }));
  }

  health(): Promise<StoreHealth> {
    try {
      return Promise.resolve({ ok: true, schemaVersion: schemaVersion(this.db) });
    } catch {
      return Promise.resolve({ ok: false });
    }
  }

  /** The whole store, for `migrate-to-redis`. */
  dump(): Promise<StoreDump> {
    return this.run(() => dumpDatabase(this.db));
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }

  /** Runs synchronously now; a throw becomes a rejection, as from any other store. */
  private run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
