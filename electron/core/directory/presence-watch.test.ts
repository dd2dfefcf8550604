import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../../../shared/crypto/identity';
import { loadSodium } from '../../../shared/crypto/sodium';
import { MAX_WATCHED_CONTACTS } from '../../../shared/ipc';
import { MAX_PRESENCE_SUBSCRIPTIONS, parseClientMessage, type PresenceSubscribe } from '../../../shared/protocol';
import { ContactBook } from '../contacts/contact-book';
import { PresenceWatch } from './presence-watch';

/*
 * The bounds of what the core asks the server to follow, in a company larger than they are. What
 * it sends is read back through the protocol's own parser, as the server reads it; the server's
 * side of the same bounds is tested in server/.
 */

const COMPANY = 3_000;
let book: ContactBook;
const ids = Array.from({ length: COMPANY }, (_, index) => `user-${String(index).padStart(4, '0')}`);

beforeAll(async () => {
  await loadSodium();
  const key = toBase64Url(serializeIdentityKey((await generateIdentityKeyPair()).publicKey));
  const self = serializeIdentityKey((await generateIdentityKeyPair()).publicKey);
  book = new ContactBook({ id: 'me', serializedKey: self }, { lostAt: null, pins: [] }, () => undefined);
  book.replace(ids.map((id) => ({ id, displayName: id, identityKey: key })));
});

/** A session on the server's side: what it holds after each message, checked against the bound. */
function session() {
  const held = new Set<string>();
  const messages: PresenceSubscribe[] = [];
  let online = true;
  return {
    held,
    messages,
    goOffline: () => { online = false; },
    send: (message: unknown): boolean => {
      if (!online) return false;
      const parsed = parseClientMessage(JSON.parse(JSON.stringify(message)));
      if (parsed.type !== 'presence.subscribe') throw new Error(`unexpected ${parsed.type}`);
      messages.push(parsed);
      for (const id of parsed.remove) held.delete(id);
      for (const id of parsed.add) held.add(id);
      expect(held.size).toBeLessThanOrEqual(MAX_PRESENCE_SUBSCRIPTIONS);
      return true;
    },
  };
}

describe('the followed set', () => {
  it('is the screen first, then history, at most the server bound, in messages the protocol allows', () => {
    const server = session();
    const history = ids.slice(1_000, 2_500);
    const watch = new PresenceWatch({ book, historyPeers: () => [...history, 'not-in-the-directory'], send: server.send });
    watch.watch(ids.slice(0, MAX_WATCHED_CONTACTS + 50));
    expect(server.messages, 'nothing is sent while offline').toEqual([]);
    watch.connected();
    expect(server.held.size).toBe(MAX_PRESENCE_SUBSCRIPTIONS);
    for (const id of ids.slice(0, MAX_WATCHED_CONTACTS)) expect(server.held.has(id)).toBe(true);
    expect(server.held.has(ids[MAX_WATCHED_CONTACTS] ?? ''), 'the screen is cut at MAX_WATCHED_CONTACTS').toBe(false);
    expect(server.held.has('not-in-the-directory')).toBe(false);
    expect(watch.follows(ids[0] ?? '')).toBe(true);

    // A scroll: removals go first, so the server never holds more than the bound.
    server.messages.length = 0;
    watch.watch(ids.slice(2_600, 2_800));
    expect(server.messages[0]?.remove.length).toBeGreaterThan(0);
    expect(server.messages.at(-1)?.add.length).toBeGreaterThan(0);
    for (const id of ids.slice(2_600, 2_800)) expect(server.held.has(id)).toBe(true);
    expect(watch.follows(ids[0] ?? '')).toBe(false);

    // The same screen again costs nothing.
    server.messages.length = 0;
    watch.watch(ids.slice(2_600, 2_800));
    expect(server.messages).toEqual([]);
  });

  it('is sent whole to every new session, and not at all while the link is down', () => {
    let server = session();
    const watch = new PresenceWatch({ book, historyPeers: () => ids.slice(0, 10), send: (message) => server.send(message) });
    watch.connected();
    expect(server.held.size).toBe(10);
    server.goOffline();
    watch.disconnected();
    expect(watch.follows(ids[0] ?? '')).toBe(false);
    watch.watch(ids.slice(20, 25));
    expect(server.messages).toHaveLength(1);
    // A new session holds nothing: everything goes again.
    server = session();
    watch.connected();
    expect([...server.held].sort()).toEqual([...ids.slice(0, 10), ...ids.slice(20, 25)].sort());
  });
});
