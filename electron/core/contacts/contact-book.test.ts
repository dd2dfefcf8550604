import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../../../shared/crypto/identity';
import { compareScannable, scannableFromText } from '../../../shared/crypto/safety-number';
import { loadSodium } from '../../../shared/crypto/sodium';
import type { DirectoryEntry } from '../../../shared/protocol';
import { ContactBook } from './contact-book';
import type { Pin } from './pinned-keys';

let keys: Uint8Array[];
beforeAll(async () => {
  await loadSodium();
  keys = await Promise.all([0, 1, 2, 3].map(async () => serializeIdentityKey((await generateIdentityKeyPair()).publicKey)));
});

const key = (index: number) => keys[index] ?? new Uint8Array();
const entry = (id: string, keyIndex: number, presence: DirectoryEntry['presence'] = 'online'): DirectoryEntry => ({
  id,
  displayName: id.toUpperCase(),
  identityKey: toBase64Url(key(keyIndex)),
  presence,
});

function book(id: string, keyIndex: number, pins: Pin[] = []) {
  const saved: Pin[][] = [];
  const contacts = new ContactBook({ id, serializedKey: key(keyIndex) }, pins, (next) => saved.push(next));
  return { contacts, saved };
}

describe('contact book', () => {
  it('lists the directory without ourselves, sorted, with presence', () => {
    const { contacts } = book('alice', 0);
    contacts.replace([entry('carol', 2, 'busy'), entry('alice', 0), entry('bob', 1)]);
    expect(contacts.list().map((c) => [c.id, c.presence])).toEqual([
      ['bob', 'online'],
      ['carol', 'busy'],
    ]);
    contacts.setPresence('bob', 'offline');
    expect(contacts.get('bob')?.presence).toBe('offline');
  });

  it('flags a key the server changed, keeps the new key for calls, and persists the pins', () => {
    const { contacts, saved } = book('alice', 0);
    contacts.replace([entry('bob', 1)]);
    contacts.setVerified('bob', true);
    contacts.upsert(entry('bob', 3));
    expect(contacts.get('bob')).toMatchObject({ keyChanged: true, verified: false });
    expect(contacts.peer('bob')?.keyChanged).toBe(true);
    const reopened = book('alice', 0, saved.at(-1));
    reopened.contacts.replace([entry('bob', 3)]);
    expect(reopened.contacts.get('bob')).toMatchObject({ keyChanged: true, verified: false });
  });

  it('keeps verified across a restart', () => {
    const first = book('alice', 0);
    first.contacts.replace([entry('bob', 1)]);
    first.contacts.setVerified('bob', true);
    const again = book('alice', 0, first.saved.at(-1));
    again.contacts.replace([entry('bob', 1)]);
    expect(again.contacts.get('bob')).toMatchObject({ verified: true, keyChanged: false });
  });

  it('gives both sides the same safety number, and scannable forms that match each other', () => {
    const alice = book('alice', 0).contacts;
    const bob = book('bob', 1).contacts;
    alice.replace([entry('bob', 1)]);
    bob.replace([entry('alice', 0)]);
    const a = alice.safetyNumberWith('bob');
    const b = bob.safetyNumberWith('alice');
    expect(a?.digits).toMatch(/^\d{60}$/);
    expect(a?.digits).toBe(b?.digits);
    expect(compareScannable(scannableFromText(a?.scannable ?? ''), scannableFromText(b?.scannable ?? ''))).toBe(true);
  });

  it('ignores a directory entry whose key is malformed', () => {
    const { contacts } = book('alice', 0);
    contacts.replace([{ ...entry('bob', 1), identityKey: toBase64Url(new Uint8Array(33)) }]);
    expect(contacts.list()).toEqual([]);
    expect(contacts.peer('bob')).toBeUndefined();
  });
});
