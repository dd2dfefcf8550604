import { describe, expect, it } from 'vitest';
import { parseServerMessage, type DirectoryDelta } from '../../shared/protocol';
import { Directory, type DirectoryChange } from './directory';

const EPOCH = 'AAAAAAAAAAAAAAAAAAAAAA';
const OTHER = 'BBBBBBBBBBBBBBBBBBBBBA';
const key = (fill: number) => Uint8Array.of(1, ...new Uint8Array(32).fill(fill));
const user = (id: string, version: number, fill = version): DirectoryChange => ({ id, displayName: id.toUpperCase(), identityKey: key(fill), version });
const tombstone = (id: string, version: number): DirectoryChange => ({ id, displayName: id, identityKey: null, version });

function delta(directory: Directory, since?: { epoch: string; version: number }): DirectoryDelta {
  const message = parseServerMessage(directory.answer(since).text);
  if (message.type !== 'directory.delta') throw new Error('not a delta');
  return message;
}

function started(): Directory {
  const directory = new Directory();
  directory.apply({ epoch: EPOCH, version: 3, records: [user('alice', 1), user('bob', 2), user('carol', 3)] });
  return directory;
}

describe('Directory', () => {
  it('answers a sync without since, from another epoch, or from a version it never issued in full', () => {
    const directory = started();
    for (const since of [undefined, { epoch: OTHER, version: 3 }, { epoch: EPOCH, version: 4 }]) {
      expect(directory.isFull(since)).toBe(true);
      const answer = delta(directory, since);
      expect(answer).toMatchObject({ epoch: EPOCH, version: 3, full: true, removed: [] });
      expect(answer.users.map((entry) => entry.id)).toEqual(['alice', 'bob', 'carol']);
    }
    expect(directory.isFull({ epoch: EPOCH, version: 3 })).toBe(false);
    expect(delta(directory, { epoch: EPOCH, version: 3 })).toMatchObject({ full: false, version: 3, users: [], removed: [] });
    expect(delta(directory, { epoch: EPOCH, version: 1 }).users.map((entry) => entry.id)).toEqual(['bob', 'carol']);
  });

  it('turns a revocation into removed, a re-key into the changed entry, each once, in version order', () => {
    const directory = started();
    const events = directory.apply({ epoch: EPOCH, version: 5, records: [tombstone('bob', 4), user('alice', 5, 9)] });
    expect(events).toEqual([
      { type: 'directory.removed', userId: 'bob', version: 4 },
      { type: 'directory.user', user: { id: 'alice', displayName: 'ALICE', identityKey: expect.any(String) as string }, version: 5 },
    ]);
    expect(directory.has('bob')).toBe(false);
    expect(directory.size).toBe(2);
    const since2 = delta(directory, { epoch: EPOCH, version: 2 });
    expect(since2).toMatchObject({ full: false, version: 5, removed: ['bob'] });
    expect(since2.users.map((entry) => entry.id)).toEqual(['carol', 'alice']);
    expect(since2.users[1]?.identityKey).toBe(delta(directory).users.find((entry) => entry.id === 'alice')?.identityKey);
    // Applying the same snapshot again is news to no one.
    expect(directory.apply({ epoch: EPOCH, version: 5, records: [tombstone('bob', 4), user('alice', 5, 9)] })).toEqual([]);
    // A full copy lists no tombstones.
    expect(delta(directory)).toMatchObject({ full: true, removed: [] });
    expect(delta(directory).users.map((entry) => entry.id)).toEqual(['alice', 'carol']);
  });

  it('reads a delta as a slice: the stale slots of a user who changed again and again are skipped', () => {
    const directory = started();
    for (let version = 4; version < 2000; version++) directory.apply({ epoch: EPOCH, version, records: [user('alice', version, (version % 200) + 1)] });
    const recent = delta(directory, { epoch: EPOCH, version: 1998 });
    expect(recent.users.map((entry) => entry.id)).toEqual(['alice']);
    expect(delta(directory, { epoch: EPOCH, version: 0 }).users.map((entry) => entry.id)).toEqual(['bob', 'carol', 'alice']);
  });

  it('starts over on a snapshot from another epoch, telling nobody (clients find out at their next sync)', () => {
    const directory = started();
    expect(directory.apply({ epoch: OTHER, version: 1, records: [user('dave', 1)] })).toEqual([]);
    expect(directory.has('alice')).toBe(false);
    expect(delta(directory, { epoch: EPOCH, version: 3 })).toMatchObject({ epoch: OTHER, full: true, users: [{ id: 'dave' }] });
  });
});
