import { describe, expect, it } from 'vitest';
import { orderParticipants, shortNames, unverifiedCount, verificationOf, type GroupMember } from './participant-order';

const member = (userId: string, displayName: string, extra: Partial<GroupMember> = {}): GroupMember => ({
  userId,
  displayName,
  self: false,
  owner: false,
  verified: false,
  keyChanged: false,
  ...extra,
});

describe('orderParticipants', () => {
  it('puts you first, the owner second, then everyone by name', () => {
    const ordered = orderParticipants([
      member('zoe', 'Zoë Adams'),
      member('carol', 'carol Chen'),
      member('owner', 'Yann Young', { owner: true }),
      member('me', 'Martin Moss', { self: true }),
      member('bob', 'Bob Baker'),
    ]);
    expect(ordered.map((entry) => entry.userId)).toEqual(['me', 'owner', 'bob', 'carol', 'zoe']);
  });

  it('keeps you first when you are the owner', () => {
    const ordered = orderParticipants([member('bob', 'Bob'), member('me', 'Ann', { self: true, owner: true })]);
    expect(ordered.map((entry) => entry.userId)).toEqual(['me', 'bob']);
  });

  it('orders two people of the same name by user id, whatever order they came in', () => {
    const one = orderParticipants([member('kim2', 'Alex Kim'), member('kim1', 'Alex Kim')]);
    const two = orderParticipants([member('kim1', 'Alex Kim'), member('kim2', 'Alex Kim')]);
    expect(one.map((entry) => entry.userId)).toEqual(['kim1', 'kim2']);
    expect(two.map((entry) => entry.userId)).toEqual(['kim1', 'kim2']);
  });

  it('gives every member a verification state, none for yourself', () => {
    const ordered = orderParticipants([
      member('me', 'Me', { self: true, verified: true }),
      member('a', 'Ann', { verified: true }),
      member('b', 'Bob'),
      member('c', 'Cy', { verified: true, keyChanged: true }),
      member('d', 'Di', { keyChanged: true }),
    ]);
    expect(ordered.map((entry) => entry.verification)).toEqual([null, 'verified', 'unverified', 'key-changed', 'key-changed']);
    expect(unverifiedCount(ordered)).toBe(3);
  });

  it('shows a user id listed twice once', () => {
    const ordered = orderParticipants([member('bob', 'Bob'), member('bob', 'Bob again', { verified: true })]);
    expect(ordered).toHaveLength(1);
    expect(ordered[0]?.displayName).toBe('Bob');
  });

  it('returns nothing for nobody', () => {
    expect(orderParticipants([])).toEqual([]);
  });
});

describe('verificationOf', () => {
  it('lets a changed key outrank an old verification', () => {
    expect(verificationOf({ self: false, verified: true, keyChanged: true })).toBe('key-changed');
    expect(verificationOf({ self: false, verified: true, keyChanged: false })).toBe('verified');
    expect(verificationOf({ self: false, verified: false, keyChanged: false })).toBe('unverified');
    expect(verificationOf({ self: true, verified: false, keyChanged: true })).toBeNull();
  });
});

describe('shortNames', () => {
  it('uses first names while they tell people apart', () => {
    const names = shortNames([member('a', 'Dana Scully'), member('b', 'Bob Baker')]);
    expect(names.get('a')).toBe('Dana');
    expect(names.get('b')).toBe('Bob');
  });

  it('uses full names for two who share a first name, and adds the id when they share the full name', () => {
    const names = shortNames([
      member('d1', 'Dana Scully'),
      member('d2', 'dana Jones'),
      member('k1', 'Alex Kim'),
      member('k2', 'Alex  KIM'),
      member('b', 'Bob'),
    ]);
    expect(names.get('d1')).toBe('Dana Scully');
    expect(names.get('d2')).toBe('dana Jones');
    expect(names.get('k1')).toBe('Alex Kim (k1)');
    expect(names.get('k2')).toBe('Alex  KIM (k2)');
    expect(names.get('b')).toBe('Bob');
  });

  it('tells apart names that differ only in Unicode form', () => {
    // "é" precomposed and as e + combining accent: the same name on screen.
    const names = shortNames([member('x', 'Ren\u00e9 A'), member('y', 'Rene\u0301 B')]);
    expect(names.get('x')).toBe('Ren\u00e9 A');
    expect(names.get('y')).toBe('Rene\u0301 B');
  });
});
