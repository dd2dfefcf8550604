import { describe, expect, it } from 'vitest';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import { isGroupError, type GroupErrorCode } from './group-error';
import { signedInvite } from './group-session.fixture';
import { GroupSession } from './group-session';
import { DEFAULT_KEY_PACKAGE_BATCH, KeyPackageStore, MAX_KEY_PACKAGE_BYTES, openFetchedKeyPackage } from './key-packages';

async function expectGroupError(promise: Promise<unknown>, code: GroupErrorCode): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (thrown) {
    error = thrown;
  }
  expect(isGroupError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

async function pair() {
  const alice = await generateIdentityKeyPair();
  const bob = await generateIdentityKeyPair();
  const pins = new Map([
    ['alice', alice.publicKey],
    ['bob', bob.publicKey],
  ]);
  return { alice, bob, pinnedKey: (id: string) => pins.get(id) ?? null };
}

describe('KeyPackages', () => {
  it('publishes a batch of one-time packages and a last-resort one, each under the identity key', async () => {
    const { bob, pinnedKey } = await pair();
    const store = new KeyPackageStore({ userId: 'bob', identity: bob });
    const batch = await store.generateBatch();
    expect(batch.oneTime).toHaveLength(DEFAULT_KEY_PACKAGE_BATCH);
    expect(store.oneTimeCount).toBe(DEFAULT_KEY_PACKAGE_BATCH);
    for (const encoded of [...batch.oneTime, batch.lastResort]) {
      const opened = await openFetchedKeyPackage(encoded, 'bob', pinnedKey);
      expect([...opened.leafNode.signaturePublicKey]).toEqual([...bob.publicKey]);
    }
    expect(new Set([...batch.oneTime, batch.lastResort].map((bytes) => bytes.join())).size).toBe(DEFAULT_KEY_PACKAGE_BATCH + 1);
  });

  it('refuses a fetched package for the wrong user, an unpinned or swapped key, or broken bytes', async () => {
    const { alice, bob, pinnedKey } = await pair();
    const bobs = await new KeyPackageStore({ userId: 'bob', identity: bob }).generateBatch(1);
    const bobPackage = bobs.oneTime[0] ?? new Uint8Array(0);
    await expectGroupError(openFetchedKeyPackage(bobPackage, 'alice', pinnedKey), 'member-key-mismatch');
    await expectGroupError(openFetchedKeyPackage(bobPackage, 'bob', () => null), 'unknown-member');
    await expectGroupError(openFetchedKeyPackage(bobPackage, 'bob', () => alice.publicKey), 'member-key-mismatch');
    await expectGroupError(openFetchedKeyPackage(bobPackage.subarray(0, bobPackage.length - 1), 'bob', pinnedKey), 'bad-message');
    await expectGroupError(openFetchedKeyPackage(new Uint8Array(MAX_KEY_PACKAGE_BYTES + 1), 'bob', pinnedKey), 'bad-message');
    const forged = Uint8Array.from(bobPackage);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0x01;
    await expectGroupError(openFetchedKeyPackage(forged, 'bob', pinnedKey), 'bad-message');
    // Bob's key under Alice's name: the credential says alice, the pin for alice is not this key.
    const asAlice = await new KeyPackageStore({ userId: 'alice', identity: bob }).generateBatch(1);
    await expectGroupError(openFetchedKeyPackage(asAlice.oneTime[0] ?? new Uint8Array(0), 'alice', pinnedKey), 'member-key-mismatch');
  });

  it('opens a Welcome once per one-time package, the last-resort one every time, and none after a new batch', async () => {
    const { alice, bob, pinnedKey } = await pair();
    const owner = { userId: 'alice', identity: alice, keyPackages: new KeyPackageStore({ userId: 'alice', identity: alice }), pins: new Map(), pinnedKey, published: [] };
    const invite = await signedInvite(owner, 'g', ['bob']);
    const store = new KeyPackageStore({ userId: 'bob', identity: bob });
    const batch = await store.generateBatch(1);
    const welcomeFor = async (keyPackage: Uint8Array) => {
      const group = await GroupSession.create({ groupId: 'g', owner: 'alice', self: { userId: 'alice', identity: alice }, pinnedKey }, invite);
      const outgoing = await group.commitAdd([{ userId: 'bob', keyPackage }]);
      if (outgoing.welcome === undefined) throw new Error('an Add makes a Welcome');
      return outgoing.welcome;
    };
    const bobOptions = { groupId: 'g', owner: 'alice', self: { userId: 'bob', identity: bob }, pinnedKey };
    const oneTime = batch.oneTime[0] ?? new Uint8Array(0);
    const welcome = await welcomeFor(oneTime);
    await GroupSession.join(bobOptions, welcome, store, [invite]);
    expect(store.oneTimeCount).toBe(0);
    await expectGroupError(GroupSession.join(bobOptions, welcome, store, [invite]), 'no-key-package');
    for (let i = 0; i < 2; i++) await GroupSession.join(bobOptions, await welcomeFor(batch.lastResort), store, [invite]);
    // A restart publishes a new batch: nothing made for the old one opens any more.
    const pendingWelcome = await welcomeFor(batch.lastResort);
    await store.generateBatch(1);
    await expectGroupError(GroupSession.join(bobOptions, pendingWelcome, store, [invite]), 'no-key-package');

    // A reconnect while a join is pending keeps the batch before: its Welcome still opens, until the join settles.
    const kept = await store.generateBatch(1);
    const onItsWay = await welcomeFor(kept.oneTime[0] ?? new Uint8Array(0));
    const forLater = await welcomeFor(kept.lastResort);
    await store.generateBatch(1, true);
    expect(store.keptBatches).toBe(1);
    await GroupSession.join(bobOptions, onItsWay, store, [invite]);
    store.dropKept();
    expect(store.keptBatches).toBe(0);
    await expectGroupError(GroupSession.join(bobOptions, forLater, store, [invite]), 'no-key-package');
  });
});
