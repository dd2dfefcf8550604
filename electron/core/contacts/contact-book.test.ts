import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../../../shared/crypto/identity';
import { compareScannable, scannableFromText } from '../../../shared/crypto/safety-number';
import { loadSodium } from '../../../shared/crypto/sodium';
import type { DirectoryEntry } from '../../../shared/protocol';
import { ContactBook } from './contact-book';
import { IpcError } from '../../../shared/ipc';
import type { PinDocument } from './pin-mac';

let keys: Uint8Array[];
beforeAll(async () => {
  await loadSodium();
  keys = await Promise.all([0, 1, 2, 3].map(async () => serializeIdentityKey((await generateIdentityKeyPair()).publicKey)));
});

const key = (index: number) => keys[index] ?? new Uint8Array();
const entry = (id: string, keyIndex: number): DirectoryEntry => ({
  id,
  displayName: id.toUpperCase(),
  identityKey: toBase64Url(key(keyIndex)),
});

function book(id: string, keyIndex: number, document: PinDocument = { lostAt: null, pins: [] }) {
  const saved: PinDocument[] = [];
  const contacts = new ContactBook({ id, serializedKey: key(keyIndex) }, document, (next) => saved.push(next));
  return { contacts, saved };
}

/** Marks verified with the number the screen would show now. */
function verify(contacts: ContactBook, userId: string) {
  return contacts.setVerified(userId, { verified: true, digits: contacts.safetyNumberWith(userId)?.digits ?? '' });
}

describe('contact book', () => {
  it('lists the directory without ourselves, sorted, with presence (offline until known)', () => {
    const { contacts } = book('alice', 0);
    contacts.replace([entry('carol', 2), entry('alice', 0), entry('bob', 1)]);
    contacts.setPresence('carol', 'busy');
    expect(contacts.list().map((c) => [c.id, c.presence])).toEqual([
      ['bob', 'offline'],
      ['carol', 'busy'],
    ]);
    contacts.setPresence('bob', 'online');
    expect(contacts.get('bob')?.presence).toBe('online');
    expect(contacts.forgetPresence(['bob'])).toBe(true);
    expect(contacts.get('bob')?.presence).toBe('offline');
    expect(contacts.setPresence('dave', 'online'), 'nobody outside the directory').toBe(false);
  });

  it('a key change arriving in a delta is a key change, and a removal in it removes', () => {
    const { contacts, saved } = book('alice', 0);
    contacts.replace([entry('bob', 1), entry('carol', 2)]);
    verify(contacts, 'bob');
    const writes = saved.length;
    contacts.applyChanges([entry('bob', 3), entry('dave', 2)], ['carol']);
    expect(contacts.get('bob')).toMatchObject({ keyChanged: true, verified: false, identityKey: toBase64Url(key(3)) });
    expect(contacts.peer('bob')?.keyChanged).toBe(true);
    expect(contacts.get('carol')).toBeUndefined();
    expect(contacts.get('dave')).toMatchObject({ keyChanged: false });
    expect(saved.length, 'one write for the whole delta').toBe(writes + 1);
  });

  it('restoring a stored copy never moves a pin: the pins are newer than the copy', () => {
    const { contacts, saved } = book('alice', 0);
    contacts.replace([entry('bob', 1)]);
    contacts.upsert(entry('bob', 3));
    verify(contacts, 'bob');
    // The copy was written before the change and its verification reached the pins.
    const reopened = book('alice', 0, saved.at(-1));
    reopened.contacts.restore([entry('bob', 1), entry('carol', 2)]);
    expect(reopened.contacts.get('bob')).toMatchObject({ verified: true, keyChanged: false, identityKey: toBase64Url(key(3)) });
    expect(reopened.contacts.get('carol')).toMatchObject({ keyChanged: false, identityKey: toBase64Url(key(2)) });
    expect(reopened.saved.at(-1)?.pins.map((pin) => pin.userId).sort(), 'a first sight from the copy is pinned').toEqual(['bob', 'carol']);
    expect(reopened.contacts.pinsLost).toBe(false);
  });

  it('flags a key the server changed, keeps the new key for calls, and persists the pins', () => {
    const { contacts, saved } = book('alice', 0);
    contacts.replace([entry('bob', 1)]);
    verify(contacts, 'bob');
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
    verify(first.contacts, 'bob');
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

  it('marks verified only the number the user compared: a number from before a key change is refused', () => {
    const { contacts } = book('alice', 0);
    contacts.replace([entry('bob', 1)]);
    const shown = contacts.safetyNumberWith('bob');
    contacts.upsert(entry('bob', 2));
    contacts.upsert(entry('bob', 3));
    let refusal: unknown;
    try {
      contacts.setVerified('bob', { verified: true, digits: shown?.digits ?? '' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(IpcError);
    expect(refusal).toMatchObject({ code: 'key-changed' });
    expect(contacts.get('bob')).toMatchObject({ verified: false, keyChanged: true });
    // The screen re-reads the number for the key pinned now, and that one verifies.
    expect(contacts.get('bob')?.identityKey).toBe(toBase64Url(key(3)));
    expect(contacts.safetyNumberWith('bob')?.identityKey).toBe(toBase64Url(key(3)));
    expect(verify(contacts, 'bob')).toMatchObject({ verified: true, keyChanged: false });
    expect(contacts.setVerified('bob', { verified: false })).toMatchObject({ verified: false });
    expect(contacts.setVerified('nobody', { verified: false })).toBeUndefined();
  });

  it('after lost pins, gates everyone in the next directory as "verify again", and remembers the loss until then', () => {
    const lost = book('alice', 0, { lostAt: 5, pins: [] });
    lost.contacts.upsert(entry('carol', 2));
    expect(lost.contacts.get('carol')).toMatchObject({ pinLost: true, keyChanged: true, verified: false });
    expect(lost.saved.at(-1)?.lostAt).toBe(5);
    lost.contacts.replace([entry('bob', 1), entry('carol', 2)]);
    expect(lost.contacts.list().map((c) => [c.id, c.pinLost, c.keyChanged])).toEqual([
      ['bob', true, true],
      ['carol', true, true],
    ]);
    expect(lost.contacts.peer('bob')?.keyChanged).toBe(true);
    expect(lost.saved.at(-1)?.lostAt).toBeNull();
    // Once the directory is pinned, newcomers are first sights again; settling clears the flag.
    lost.contacts.upsert(entry('dave', 3));
    expect(lost.contacts.get('dave')).toMatchObject({ pinLost: false, keyChanged: false });
    lost.contacts.acknowledgeKeyChange('bob', key(1).slice(1));
    expect(lost.contacts.get('bob')).toMatchObject({ pinLost: false, keyChanged: false, verified: false });
    expect(verify(lost.contacts, 'carol')).toMatchObject({ pinLost: false, keyChanged: false, verified: true });
  });

  it('ignores a directory entry whose key is malformed', () => {
    const { contacts } = book('alice', 0);
    contacts.replace([{ ...entry('bob', 1), identityKey: toBase64Url(new Uint8Array(33)) }]);
    expect(contacts.list()).toEqual([]);
    expect(contacts.peer('bob')).toBeUndefined();
  });
});
