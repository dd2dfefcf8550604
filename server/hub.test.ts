import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_PRESENCE_IDS_PER_MESSAGE, MAX_PRESENCE_SUBSCRIPTIONS, PROTOCOL_VERSION, type ProtocolErrorCode, type ServerMessage } from '../shared/protocol';
import type { Database } from 'better-sqlite3';
import { openDatabase } from './db/database';
import { directoryChangesAfter } from './db/directory';
import { createInvite, redeemInvite } from './db/invites';
import { revokeUser } from './db/revocations';
import { Hub } from './hub';
import { silentLogger } from './log/logger';
import { SqliteStore } from './store/sqlite-store';
import { removeDataDir, tempDataDir } from './test-support/harness.fixture';
import type { Session } from './ws/session';

class FakeSession implements Session {
  readonly received: ServerMessage[] = [];
  writes = 0;
  ended: ProtocolErrorCode | undefined;
  constructor(readonly userId: string) {}
  send(message: ServerMessage): void {
    this.received.push(message);
    this.writes += 1;
  }
  sendSerialized(data: Buffer | string): void {
    this.send(JSON.parse(data.toString()) as ServerMessage);
  }
  sendFrames(frames: readonly Buffer[]): void {
    // A server frame's header is 2 bytes, or 4 with a 16-bit length (none here needs 64 bits).
    for (const frame of frames) this.received.push(JSON.parse(frame.subarray((frame[1] ?? 0) === 126 ? 4 : 2).toString()) as ServerMessage);
    this.writes += 1;
  }
  end(code: ProtocolErrorCode): void {
    this.ended = code;
  }
  presence(userId: string): string[] {
    return this.received.flatMap((m) => (m.type === 'presence' && m.userId === userId ? [m.presence] : []));
  }
}

const key = (fill: number) => Uint8Array.of(1, ...new Uint8Array(32).fill(fill));
const v = PROTOCOL_VERSION;
const ake = { commitment: 'A'.repeat(43), signature: 'A'.repeat(86) };
let dataDir: string;

beforeEach(() => {
  vi.useFakeTimers();
  dataDir = tempDataDir();
});
const stores: SqliteStore[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const store of stores.splice(0)) await store.close();
  removeDataDir(dataDir);
});

let codes = 0;
function enrollInDb(db: Database, userId: string, fill: number): void {
  const codeHash = new Uint8Array(32);
  new DataView(codeHash.buffer).setUint32(0, ++codes);
  createInvite(db, { userId, displayName: userId, codeHash, expiresAt: Date.now() + 60_000, reinstate: false });
  const outcome = redeemInvite(db, { codeHash, identityKey: key(fill), deviceName: 'laptop', keyFingerprint: 'ff' });
  if (!outcome.ok) throw new Error(outcome.reason);
}

/** A hub over a real database with `users` enrolled and each connected through a recording session. */
async function hubWith(users: string[]) {
  codes = 0;
  const db = openDatabase(dataDir);
  users.forEach((id, index) => { enrollInDb(db, id, index + 1); });
  // The hub writes through a store of its own on the same file, as the server does; the test's
  // enrolments and revocations go straight to the database, as the CLI's do.
  const store = SqliteStore.open(dataDir);
  stores.push(store);
  const hub = new Hub({ store, readDirectory: (after) => directoryChangesAfter(db, after), logger: silentLogger, metrics: undefined, turn: undefined, inviteTimeoutMs: 30_000, maxConnections: 100, presenceFlushMs: 250 });
  await hub.refreshDirectory();
  const sessions = new Map(users.map((id) => [id, new FakeSession(id)]));
  for (const session of sessions.values()) expect(hub.admit(session, { userId: session.userId, displayName: session.userId, identityKey: key(9), enrolled: false })).toEqual({ ok: true });
  vi.advanceTimersByTime(300);
  const get = (id: string) => sessions.get(id) ?? new FakeSession('missing');
  const subscribe = (id: string, add: string[], remove: string[] = []) => {
    hub.handle(get(id), { v, type: 'presence.subscribe', add, remove }, 0);
    return get(id).received.at(-1);
  };
  return { hub, db, sessions, get, subscribe };
}

describe('Hub presence, by subscription', () => {
  it('tells a change only to the sessions that follow that user', async () => {
    const { hub, get, db, subscribe } = await hubWith(['alice', 'bob', 'carol', 'dave']);
    expect(subscribe('carol', ['alice'])).toEqual({ v, type: 'presence.snapshot', users: [{ id: 'alice', presence: 'online' }] });
    hub.handle(get('alice'), { v, type: 'call.invite', callId: 'DDDDDDDDDDDDDDDDDDDDDD', to: 'bob', media: { audio: true, video: false }, ake }, 0);
    vi.advanceTimersByTime(300);
    expect(get('carol').presence('alice')).toEqual(['busy']);
    // Carol does not follow Bob; Dave follows nobody; the callers follow nobody either.
    expect(get('carol').presence('bob')).toEqual([]);
    for (const id of ['alice', 'bob', 'dave']) expect(get(id).received.filter((m) => m.type === 'presence')).toEqual([]);
    expect(hub.presence.followerCount('alice')).toBe(1);
    expect(hub.presence.followerCount('bob')).toBe(0);
    db.close();
  });

  it('says nothing to anyone when nobody follows: an unsubscribed session receives no presence at all', async () => {
    const { hub, get, db } = await hubWith(['alice', 'bob', 'carol']);
    hub.handle(get('alice'), { v, type: 'call.invite', callId: 'EEEEEEEEEEEEEEEEEEEEEE', to: 'bob', media: { audio: true, video: false }, ake }, 0);
    hub.leave(get('carol'));
    vi.advanceTimersByTime(300);
    for (const session of ['alice', 'bob', 'carol']) expect(get(session).received.filter((m) => m.type === 'presence')).toEqual([]);
    db.close();
  });

  it('batches: a call shorter than the flush interval is never sent', async () => {
    const { hub, get, db, subscribe } = await hubWith(['alice', 'bob', 'carol']);
    subscribe('carol', ['alice', 'bob']);
    const callId = 'CCCCCCCCCCCCCCCCCCCCCC';
    hub.handle(get('alice'), { v, type: 'call.invite', callId, to: 'bob', media: { audio: true, video: false }, ake }, 0);
    hub.handle(get('alice'), { v, type: 'call.cancel', callId, to: 'bob' }, 0);
    vi.advanceTimersByTime(300);
    expect(get('carol').presence('alice')).toEqual([]);
    db.close();
  });

  it('sends each change once, after the interval, in one write per follower', async () => {
    const { hub, get, db, subscribe } = await hubWith(['alice', 'bob', 'carol']);
    subscribe('carol', ['alice', 'bob']);
    const carol = get('carol');
    const writesBefore = carol.writes;
    hub.handle(get('alice'), { v, type: 'call.invite', callId: 'DDDDDDDDDDDDDDDDDDDDDD', to: 'bob', media: { audio: true, video: false }, ake }, 0);
    expect(carol.presence('alice')).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(carol.presence('alice')).toEqual(['busy']);
    expect(carol.presence('bob')).toEqual(['busy']);
    expect(carol.writes - writesBefore).toBe(1);
    db.close();
  });

  it('still tells a follower who subscribed mid-batch the state a user returned to', async () => {
    const { hub, get, db, subscribe } = await hubWith(['alice', 'bob', 'carol']);
    const callId = 'FFFFFFFFFFFFFFFFFFFFFF';
    hub.handle(get('alice'), { v, type: 'call.invite', callId, to: 'bob', media: { audio: true, video: false }, ake }, 0);
    expect(subscribe('carol', ['alice'])).toMatchObject({ users: [{ id: 'alice', presence: 'busy' }] });
    hub.handle(get('alice'), { v, type: 'call.cancel', callId, to: 'bob' }, 0);
    vi.advanceTimersByTime(300);
    expect(get('carol').presence('alice')).toEqual(['online']);
    db.close();
  });

  it('ignores unknown ids, removes before adding, and refuses a change beyond the bound whole', async () => {
    const { hub, get, db, subscribe } = await hubWith(['alice', 'bob', 'carol']);
    expect(subscribe('carol', ['alice', 'nobody', 'alice'])).toEqual({ v, type: 'presence.snapshot', users: [{ id: 'alice', presence: 'online' }] });
    expect(subscribe('carol', ['bob'], ['alice'])).toEqual({ v, type: 'presence.snapshot', users: [{ id: 'bob', presence: 'online' }] });
    expect(hub.presence.followerCount('alice')).toBe(0);
    // The bound is on what a session follows; the board only counts ids in the directory, so the
    // test enrols enough users for it to bite.
    const many = Array.from({ length: MAX_PRESENCE_SUBSCRIPTIONS }, (_, i) => `u${i}`);
    db.transaction(() => {
      for (const [index, id] of many.entries()) enrollInDb(db, id, (index % 200) + 20);
    })();
    await hub.refreshDirectory();
    for (let i = 0; i < many.length - 1; i += MAX_PRESENCE_IDS_PER_MESSAGE) subscribe('carol', many.slice(i, Math.min(i + MAX_PRESENCE_IDS_PER_MESSAGE, many.length - 1)));
    expect(hub.presence.followingCount(get('carol'))).toBe(MAX_PRESENCE_SUBSCRIPTIONS);
    const refused = subscribe('carol', ['alice', 'u999'], ['u0']);
    expect(refused).toMatchObject({ type: 'error', code: 'bad-message' });
    expect(refused?.type === 'error' && refused.message).toMatch(/at most 1000 users; this change would make 1001/);
    expect(hub.presence.followerCount('u0')).toBe(1);
    expect(hub.presence.followerCount('alice')).toBe(0);
    // Making room first is fine.
    expect(subscribe('carol', ['alice'], ['u0'])).toMatchObject({ type: 'presence.snapshot' });
    db.close();
  });

  it("drops a session's subscriptions when it leaves", async () => {
    const { hub, get, db, subscribe } = await hubWith(['alice', 'bob', 'carol']);
    subscribe('carol', ['alice', 'bob']);
    hub.leave(get('carol'));
    expect(hub.presence.followerCount('alice')).toBe(0);
    expect(hub.presence.followerCount('bob')).toBe(0);
    db.close();
  });
});

describe('Hub directory', () => {
  it('answers directory.sync from memory: a full copy without since, only the changes with it', async () => {
    const { hub, get, db } = await hubWith(['alice', 'bob']);
    hub.handle(get('alice'), { v, type: 'directory.sync' }, 0);
    const full = get('alice').received.at(-1);
    if (full?.type !== 'directory.delta') throw new Error('no delta');
    expect(full).toMatchObject({ full: true, version: 2, removed: [] });
    expect(full.users.map((user) => user.id)).toEqual(['alice', 'bob']);
    hub.handle(get('alice'), { v, type: 'directory.sync', since: { epoch: full.epoch, version: 1 } }, 0);
    expect(get('alice').received.at(-1)).toMatchObject({ full: false, version: 2, users: [{ id: 'bob' }], removed: [] });
    db.close();
  });

  it('lists an enrolment at once without skipping an earlier change it has not read yet', async () => {
    const { hub, get, db } = await hubWith(['alice', 'bob']);
    // The CLI revokes Bob (version 3); before the server notices, Carol enrols here (version 4).
    revokeUser(db, 'bob', undefined);
    const codeHash = new Uint8Array(32).fill(77);
    createInvite(db, { userId: 'carol', displayName: 'Carol', codeHash, expiresAt: Date.now() + 60_000, reinstate: false });
    const outcome = redeemInvite(db, { codeHash, identityKey: key(7), deviceName: 'laptop', keyFingerprint: 'ff' });
    if (!outcome.ok) throw new Error(outcome.reason);
    const carol = new FakeSession('carol');
    expect(hub.admit(carol, { userId: 'carol', displayName: 'Carol', identityKey: key(7), enrolled: true, directoryVersion: outcome.directoryVersion })).toEqual({ ok: true });
    // Callable at once, but the copy stays at 2: a client syncing now must still be told of 3 later.
    expect(hub.directory.has('carol')).toBe(true);
    expect(hub.directory.version).toBe(2);
    await hub.refreshDirectory();
    vi.advanceTimersByTime(10);
    expect(hub.directory.version).toBe(4);
    expect(get('alice').received.filter((m) => m.type === 'directory.user' || m.type === 'directory.removed')).toEqual([
      { v, type: 'directory.user', user: { id: 'carol', displayName: 'Carol', identityKey: expect.any(String) as string }, version: 4 },
      { v, type: 'directory.removed', userId: 'bob', version: 3 },
    ]);
    hub.handle(get('alice'), { v, type: 'directory.sync', since: { epoch: hub.directory.epoch, version: 2 } }, 0);
    expect(get('alice').received.at(-1)).toMatchObject({ full: false, version: 4, users: [{ id: 'carol' }], removed: ['bob'] });
    db.close();
  });

  it('tells everyone of a revocation with its version, and then nothing about that user', async () => {
    const { hub, get, db, subscribe } = await hubWith(['alice', 'bob']);
    subscribe('alice', ['bob']);
    hub.leave(get('bob'));
    revokeUser(db, 'bob', undefined);
    await hub.revoke('bob');
    vi.advanceTimersByTime(300);
    expect(get('alice').presence('bob')).toEqual([]);
    expect(get('alice').received.at(-1)).toEqual({ v, type: 'directory.removed', userId: 'bob', version: 3 });
    expect(hub.presence.followerCount('bob')).toBe(0);
    // Revoked while connected: the session is cut with its own code.
    revokeUser(db, 'alice', undefined);
    await hub.revoke('alice');
    expect(get('alice').ended).toBe('revoked');
    db.close();
  });
});
