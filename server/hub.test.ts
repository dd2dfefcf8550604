import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, type ProtocolErrorCode, type ServerMessage } from '../shared/protocol';
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
    // Each frame here is short: a two-byte header, then the JSON.
    for (const frame of frames) this.received.push(JSON.parse(frame.subarray(2).toString()) as ServerMessage);
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
afterEach(() => {
  vi.useRealTimers();
  removeDataDir(dataDir);
});

function hubWith(users: string[]) {
  const db = SqliteStore.open(dataDir);
  const hub = new Hub({ store: db, logger: silentLogger, metrics: undefined, turn: undefined, inviteTimeoutMs: 30_000, maxConnections: 100, presenceFlushMs: 250 });
  users.forEach((id, index) => hub.directory.upsert(id, id, key(index + 1)));
  const sessions = new Map(users.map((id) => [id, new FakeSession(id)]));
  for (const session of sessions.values()) expect(hub.admit(session, { userId: session.userId, displayName: session.userId, identityKey: key(9), enrolled: false })).toEqual({ ok: true });
  vi.advanceTimersByTime(300);
  return { hub, db, sessions, get: (id: string) => sessions.get(id) ?? new FakeSession('missing') };
}

describe('Hub presence', () => {
  it('batches presence: a call shorter than the flush interval is never broadcast', () => {
    const { hub, get, db } = hubWith(['alice', 'bob', 'carol']);
    const callId = 'CCCCCCCCCCCCCCCCCCCCCC';
    hub.handle(get('alice'), { v, type: 'call.invite', callId, to: 'bob', media: { audio: true, video: false }, ake }, 0);
    hub.handle(get('alice'), { v, type: 'call.cancel', callId, to: 'bob' }, 0);
    vi.advanceTimersByTime(300);
    expect(get('carol').presence('alice')).toEqual(['online']);
    void db.close();
  });

  it('sends each change once, after the interval, in one write per recipient', () => {
    const { hub, get, db } = hubWith(['alice', 'bob', 'carol']);
    const carol = get('carol');
    const writesBefore = carol.writes;
    hub.handle(get('alice'), { v, type: 'call.invite', callId: 'DDDDDDDDDDDDDDDDDDDDDD', to: 'bob', media: { audio: true, video: false }, ake }, 0);
    expect(carol.presence('alice')).toEqual(['online']);
    vi.advanceTimersByTime(250);
    expect(carol.presence('alice')).toEqual(['online', 'busy']);
    expect(carol.presence('bob')).toEqual(['online', 'busy']);
    expect(carol.writes - writesBefore).toBe(1);
    void db.close();
  });

  it('says nothing about a user to themselves, and nothing after their revocation', () => {
    const { hub, get, db } = hubWith(['alice', 'bob']);
    expect(get('alice').presence('alice')).toEqual([]);
    hub.leave(get('bob'));
    hub.revoke('bob');
    vi.advanceTimersByTime(300);
    expect(get('alice').presence('bob')).toEqual(['online']);
    expect(get('alice').received.at(-1)).toEqual({ v, type: 'directory.removed', userId: 'bob' });
    void db.close();
  });
});
