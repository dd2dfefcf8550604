import { toBase64Url } from '../../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../../shared/protocol';

/** One user as the store reports a change: `identityKey` null is a tombstone (revoked). */
export interface DirectoryChange {
  id: string;
  displayName: string;
  identityKey: Uint8Array | null;
  version: number;
}

/** What changed in the store after some version, read as one snapshot (server/db/directory.ts). */
export interface DirectorySnapshot {
  epoch: string;
  version: number;
  /** In version order. */
  records: readonly DirectoryChange[];
}

export interface DirectoryUser {
  id: string;
  displayName: string;
  /** Serialized identity key as it goes on the wire. */
  identityKey: string;
}

interface Listed {
  id: string;
  version: number;
  /** The wire entry, or null for a tombstone. */
  user: DirectoryUser | null;
  /** The entry's JSON (or the tombstone's id as a JSON string), built once: copies are sent often. */
  fragment: string;
}

/** An applied change, ready to tell every online session. */
export type DirectoryEvent =
  | { type: 'directory.user'; user: DirectoryUser; version: number }
  | { type: 'directory.removed'; userId: string; version: number };

export interface SyncAnswer {
  full: boolean;
  /** The `directory.delta` message as JSON text. */
  text: string;
}

/**
 * The in-memory, versioned view of who can be called (docs/protocol.md, "Directory"). Loaded from
 * the store at start and advanced by applying the store's later changes, so that answering a sync
 * or checking a call target never touches the database.
 *
 * Cost: `changes` holds one slot per applied change in version order, so a returning client's
 * delta is a binary search and a slice of what changed since its copy, never a walk over the
 * company. A slot whose user changed again later is stale and skipped; the log is rebuilt when
 * stale slots outnumber live ones. The full copy is built from cached fragments once per version.
 */
export class Directory {
  private epochValue = '';
  private versionValue = 0;
  private readonly users = new Map<string, Listed>();
  private changes: Listed[] = [];
  private liveCount = 0;
  private fullCache: string | undefined;

  get epoch(): string {
    return this.epochValue;
  }

  get version(): number {
    return this.versionValue;
  }

  /** Callable users (tombstones excluded). */
  get size(): number {
    return this.liveCount;
  }

  /** Enrolled, with a live key, and not revoked. */
  has(id: string): boolean {
    return this.users.get(id)?.user != null;
  }

  get(id: string): DirectoryUser | undefined {
    return this.users.get(id)?.user ?? undefined;
  }

  /**
   * Applies a snapshot of the store's changes and returns those that were news, in version order.
   * A snapshot from another epoch (the store was replaced) starts the copy over, and tells nobody:
   * clients find out at their next sync, which answers in full.
   */
  apply(snapshot: DirectorySnapshot): DirectoryEvent[] {
    const newEpoch = snapshot.epoch !== this.epochValue;
    if (newEpoch) {
      this.epochValue = snapshot.epoch;
      this.users.clear();
      this.changes = [];
      this.liveCount = 0;
    }
    const events: DirectoryEvent[] = [];
    for (const record of snapshot.records) {
      const current = this.users.get(record.id);
      if (current && current.version >= record.version) continue;
      const listed = this.listed(record);
      if (current?.user) this.liveCount -= 1;
      if (listed.user) this.liveCount += 1;
      this.users.set(record.id, listed);
      this.append(listed);
      if (listed.user) events.push({ type: 'directory.user', user: listed.user, version: listed.version });
      // A user the store knew as removed before this copy began is news to no one.
      else if (current?.user) events.push({ type: 'directory.removed', userId: listed.id, version: listed.version });
    }
    if (snapshot.version > this.versionValue || newEpoch) {
      this.versionValue = snapshot.version;
      this.fullCache = undefined;
    }
    if (events.length > 0) this.fullCache = undefined;
    this.compactIfStale();
    return newEpoch ? [] : events;
  }

  /** Whether a sync from `since` would be answered with a full copy (the costly kind). */
  isFull(since: { epoch: string; version: number } | undefined): boolean {
    return since === undefined || since.epoch !== this.epochValue || since.version > this.versionValue;
  }

  /** The `directory.delta` answering a sync from `since`. */
  answer(since: { epoch: string; version: number } | undefined): SyncAnswer {
    if (since === undefined || this.isFull(since)) return { full: true, text: this.full() };
    const users: string[] = [];
    const removed: string[] = [];
    for (let i = this.firstAfter(since.version); i < this.changes.length; i++) {
      const slot = this.changes[i];
      if (slot === undefined || this.users.get(slot.id) !== slot) continue;
      (slot.user ? users : removed).push(slot.fragment);
    }
    return { full: false, text: this.message(false, users, removed) };
  }

  private full(): string {
    if (this.fullCache === undefined) {
      const users: string[] = [];
      for (const listed of this.users.values()) if (listed.user) users.push(listed.fragment);
      this.fullCache = this.message(true, users, []);
    }
    return this.fullCache;
  }

  /** The same text as JSON.stringify of the message, from fragments. */
  private message(full: boolean, users: readonly string[], removed: readonly string[]): string {
    return `{"v":${PROTOCOL_VERSION},"type":"directory.delta","epoch":${JSON.stringify(this.epochValue)},"version":${this.versionValue},"full":${full},"users":[${users.join(',')}],"removed":[${removed.join(',')}]}`;
  }

  private listed(record: DirectoryChange): Listed {
    if (record.identityKey === null) return { id: record.id, version: record.version, user: null, fragment: JSON.stringify(record.id) };
    const user = { id: record.id, displayName: record.displayName, identityKey: toBase64Url(record.identityKey) };
    return { id: record.id, version: record.version, user, fragment: JSON.stringify(user) };
  }

  private append(listed: Listed): void {
    const last = this.changes.at(-1);
    if (last === undefined || last.version < listed.version) {
      this.changes.push(listed);
      return;
    }
    // Out of order (never from one snapshot, which is sorted; possible across sources): insert.
    this.changes.splice(this.firstAfter(listed.version), 0, listed);
  }

  /** Index of the first slot with a version above `version`. */
  private firstAfter(version: number): number {
    let low = 0;
    let high = this.changes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const slot = this.changes[middle];
      if (slot !== undefined && slot.version <= version) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private compactIfStale(): void {
    if (this.changes.length <= 2 * this.users.size + 64) return;
    this.changes = this.changes.filter((slot) => this.users.get(slot.id) === slot);
  }
}
