import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey, type IdentityKeyPair } from '../../../shared/crypto/identity';
import { loadSodium } from '../../../shared/crypto/sodium';
import { parseServerMessage, PROTOCOL_VERSION, type DirectoryDelta, type DirectoryEntry, type DirectoryRemoved, type DirectoryUser } from '../../../shared/protocol';
import { ContactBook } from '../contacts/contact-book';
import type { PinDocument } from '../contacts/pin-mac';
import { DirectoryCopyStore, directoryMacKey } from './directory-copy';
import { DirectorySync } from './directory-sync';

/*
 * The version arithmetic of docs/protocol.md on the app's side, with the real contact book and the
 * real stored copy; every server message goes through the protocol parser as it would off the wire.
 */

let self: IdentityKeyPair;
let keys: string[];
const dirs: string[] = [];
const EPOCH = toBase64Url(new Uint8Array(16).fill(1));
const OTHER_EPOCH = toBase64Url(new Uint8Array(16).fill(2));

beforeAll(async () => {
  await loadSodium();
  self = await generateIdentityKeyPair();
  keys = await Promise.all([0, 1, 2, 3].map(async () => toBase64Url(serializeIdentityKey((await generateIdentityKeyPair()).publicKey))));
});

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const entry = (id: string, key: number): DirectoryEntry => ({ id, displayName: id.toUpperCase(), identityKey: keys[key] ?? '' });
/** As off the wire: through the protocol's parser. */
const wire = (message: object) => parseServerMessage(JSON.stringify({ v: PROTOCOL_VERSION, ...message }));
const delta = (fields: Omit<DirectoryDelta, 'v' | 'type'>) => wire({ type: 'directory.delta', ...fields }) as DirectoryDelta;
const user = (value: DirectoryEntry, version: number) => wire({ type: 'directory.user', user: value, version }) as DirectoryUser;
const removed = (userId: string, version: number) => wire({ type: 'directory.removed', userId, version }) as DirectoryRemoved;

/** One start of the app on `dir`: pins as the pin store would hold them, the copy as stored. */
async function start(dir: string, pins: PinDocument) {
  const saved: PinDocument[] = [];
  const book = new ContactBook({ id: 'me', serializedKey: serializeIdentityKey(self.publicKey) }, pins, (next) => saved.push(next));
  const store = new DirectoryCopyStore(dir, await directoryMacKey(self.secretKey), 60_000);
  const sync = new DirectorySync(book, store, await store.load());
  return { book, store, sync, saved, pins: () => saved.at(-1) ?? pins };
}

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sealcall-directory-sync-'));
  dirs.push(dir);
  return dir;
}

const fresh: PinDocument = { lostAt: null, pins: [] };
const ids = (book: ContactBook) => book.list().map((contact) => contact.id);

describe('directory sync', () => {
  it('asks for everything first, then only for what changed since the copy it stored', async () => {
    const dir = dataDir();
    const first = await start(dir, fresh);
    expect(first.sync.request()).toEqual({ v: PROTOCOL_VERSION, type: 'directory.sync' });
    expect(first.sync.delta(delta({ epoch: EPOCH, version: 5, full: true, users: [entry('bob', 1), entry('carol', 2), entry('me', 0)], removed: [] }))).toBe(true);
    expect(ids(first.book)).toEqual(['bob', 'carol']);
    expect(first.sync.request()).toMatchObject({ since: { epoch: EPOCH, version: 5 } });
    await first.sync.flush();

    const second = await start(dir, first.pins());
    expect(ids(second.book), 'the copy is shown before any server answers').toEqual(['bob', 'carol']);
    expect(second.sync.request()).toEqual({ v: PROTOCOL_VERSION, type: 'directory.sync', since: { epoch: EPOCH, version: 5 } });
    second.sync.delta(delta({ epoch: EPOCH, version: 7, full: false, users: [entry('dave', 3)], removed: ['carol'] }));
    expect(ids(second.book)).toEqual(['bob', 'dave']);
    await second.sync.flush();
    expect(await second.store.load()).toMatchObject({ epoch: EPOCH, version: 7, users: [entry('bob', 1), entry('dave', 3)] });
  });

  it('a key change in a delta is a key change: flagged, unverified, gated', async () => {
    const dir = dataDir();
    const first = await start(dir, fresh);
    first.sync.delta(delta({ epoch: EPOCH, version: 1, full: true, users: [entry('bob', 1)], removed: [] }));
    first.book.setVerified('bob', { verified: true, digits: first.book.safetyNumberWith('bob')?.digits ?? '' });
    await first.sync.flush();
    const second = await start(dir, first.pins());
    expect(second.book.get('bob')).toMatchObject({ verified: true, keyChanged: false });
    second.sync.delta(delta({ epoch: EPOCH, version: 2, full: false, users: [entry('bob', 2)], removed: [] }));
    expect(second.book.get('bob')).toMatchObject({ verified: false, keyChanged: true, identityKey: keys[2] });
    expect(second.book.peer('bob')?.keyChanged).toBe(true);
    expect(second.pins().pins.find((pin) => pin.userId === 'bob')).toMatchObject({ keyChanged: true, identityKey: keys[2] });
  });

  it('a live change moves the version on only when it is the next one; after a gap it keeps the old one', async () => {
    const { sync, book } = await start(dataDir(), fresh);
    sync.delta(delta({ epoch: EPOCH, version: 10, full: true, users: [entry('bob', 1)], removed: [] }));
    sync.user(user(entry('carol', 2), 11));
    expect(sync.request()).toMatchObject({ since: { version: 11 } });
    // 12 never arrived: 13 is applied, but the version stays, so the next sync sends 12 and 13 again.
    sync.user(user(entry('dave', 3), 13));
    expect(ids(book)).toEqual(['bob', 'carol', 'dave']);
    expect(sync.request()).toMatchObject({ since: { version: 11 } });
    sync.removed(removed('bob', 14));
    expect(ids(book)).toEqual(['carol', 'dave']);
    expect(sync.request()).toMatchObject({ since: { version: 11 } });
    // The resent gap applies twice without harm.
    sync.delta(delta({ epoch: EPOCH, version: 14, full: false, users: [entry('eve', 1), entry('dave', 3)], removed: ['bob'] }));
    expect(ids(book)).toEqual(['carol', 'dave', 'eve']);
    expect(sync.request()).toMatchObject({ since: { version: 14 } });
  });

  it('a full answer replaces the copy (a new epoch: the server store was replaced)', async () => {
    const { sync, book } = await start(dataDir(), fresh);
    sync.delta(delta({ epoch: EPOCH, version: 3, full: true, users: [entry('bob', 1), entry('carol', 2)], removed: [] }));
    sync.delta(delta({ epoch: OTHER_EPOCH, version: 1, full: true, users: [entry('dave', 3)], removed: [] }));
    expect(ids(book)).toEqual(['dave']);
    expect(sync.request()).toMatchObject({ since: { epoch: OTHER_EPOCH, version: 1 } });
  });

  it('changes against a copy of another epoch are not applied: the copy is dropped and everything asked for', async () => {
    const { sync, book } = await start(dataDir(), fresh);
    sync.delta(delta({ epoch: EPOCH, version: 3, full: true, users: [entry('bob', 1)], removed: [] }));
    expect(sync.delta(delta({ epoch: OTHER_EPOCH, version: 9, full: false, users: [entry('dave', 3)], removed: ['bob'] }))).toBe(false);
    expect(ids(book)).toEqual(['bob']);
    expect(sync.request()).toEqual({ v: PROTOCOL_VERSION, type: 'directory.sync' });
  });

  it('a device whose pins were lost ignores its copy and starts from a whole directory, every key gated', async () => {
    const dir = dataDir();
    const first = await start(dir, fresh);
    first.sync.delta(delta({ epoch: EPOCH, version: 4, full: true, users: [entry('bob', 1)], removed: [] }));
    await first.sync.flush();
    const lost = await start(dir, { lostAt: 1, pins: [] });
    expect(ids(lost.book)).toEqual([]);
    expect(lost.sync.request()).toEqual({ v: PROTOCOL_VERSION, type: 'directory.sync' });
    lost.sync.delta(delta({ epoch: EPOCH, version: 4, full: true, users: [entry('bob', 1)], removed: [] }));
    expect(lost.book.get('bob')).toMatchObject({ pinLost: true, keyChanged: true });
    expect(lost.book.pinsLost).toBe(false);
  });
});
