import { createCommit, createGroup, defaultCapabilities, defaultLifetime, encodeMlsMessage, generateKeyPackageWithKey } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../shared/crypto/bytes';
import { signGroupInvite } from '../../../shared/crypto/group-invite';
import { SFrameReceiver, SFrameSender } from '../../../shared/crypto/sframe';
import { deriveGroupSenderSecret } from '../../../shared/crypto/sframe-mls';
import { isGroupError, type GroupErrorCode } from './group-error';
import { fanOut, fetchKeyPackage, makeUsers, signedInvite, user, type TestUser } from './group-session.fixture';
import { GroupSession, MAX_HANDSHAKE_BYTES, type GroupEpochKeys } from './group-session';
import type { SignedGroupInvite } from './invite-book';
import { openFetchedKeyPackage } from './key-packages';
import { credentialFor, signatureKeyPair } from './member-binding';
import { groupCipherSuite } from './mls-suite';

const GROUP = 'group-call-1';

async function expectGroupError(promise: Promise<unknown>, code: GroupErrorCode): Promise<void> {
  let error: unknown;
  let value: unknown;
  try {
    value = await promise;
  } catch (thrown) {
    error = thrown;
  }
  expect(value).toBeUndefined();
  expect(isGroupError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

function options(member: TestUser, owner = 'alice') {
  return { groupId: GROUP, owner, self: { userId: member.userId, identity: member.identity }, pinnedKey: member.pinnedKey };
}

interface Call {
  users: Map<string, TestUser>;
  invite: SignedGroupInvite;
  sessions: Map<string, GroupSession>;
}

/** Alice creates the group and adds the others one at a time, each commit fanned out to everyone. */
async function startCall(ids: string[], invitees = ids.slice(1), extra: string[] = []): Promise<Call> {
  const users = await makeUsers([...ids, ...extra]);
  const alice = user(users, 'alice');
  const invite = await signedInvite(alice, GROUP, invitees);
  const sessions = new Map<string, GroupSession>([['alice', await GroupSession.create(options(alice), invite)]]);
  for (const id of ids.slice(1)) await addMember(users, sessions, invite, id);
  return { users, invite, sessions };
}

async function addMember(users: Map<string, TestUser>, sessions: Map<string, GroupSession>, invite: SignedGroupInvite, id: string): Promise<void> {
  const committer = [...sessions.values()][0];
  if (committer === undefined) throw new Error('no member to commit');
  const joiner = user(users, id);
  const outgoing = await committer.commitAdd([fetchKeyPackage(joiner)]);
  await fanOut([...sessions.values()], outgoing.commit);
  if (outgoing.welcome === undefined) throw new Error('an Add makes a Welcome');
  expect(outgoing.welcomeTo).toEqual([id]);
  sessions.set(id, await GroupSession.join(options(joiner), outgoing.welcome, joiner.keyPackages, [invite]));
}

function session(call: Call, id: string): GroupSession {
  const found = call.sessions.get(id);
  if (found === undefined) throw new Error(`${id} is not in the call`);
  return found;
}

async function keysOf(call: Call): Promise<Map<string, GroupEpochKeys>> {
  const keys = new Map<string, GroupEpochKeys>();
  for (const [id, member] of call.sessions) keys.set(id, await member.epochKeys());
  return keys;
}

describe('GroupSession (ts-mls, ciphersuite 0x0003)', () => {
  it('gives four members the same epoch, base key, senders and security code', async () => {
    const call = await startCall(['alice', 'bob', 'carol', 'dave']);
    const keys = await keysOf(call);
    const all = [...keys.values()];
    expect(all.map((k) => k.epoch)).toEqual([3n, 3n, 3n, 3n]);
    expect(new Set(all.map((k) => toHex(k.baseKey))).size).toBe(1);
    expect(new Set(all.map((k) => k.securityCode)).size).toBe(1);
    expect(all[0]?.securityCode).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(new Set(all.map((k) => k.ownIndex))).toEqual(new Set([0, 1, 2, 3]));
    for (const k of all) expect(k.senders).toEqual([
      { index: 0, userId: 'alice' },
      { index: 1, userId: 'bob' },
      { index: 2, userId: 'carol' },
      { index: 3, userId: 'dave' },
    ]);
    // Each sender's frames open at every other member under the sender's index.
    const bobKeys = keys.get('bob');
    const carolKeys = keys.get('carol');
    if (bobKeys === undefined || carolKeys === undefined) throw new Error('missing keys');
    const frame = new SFrameSender(await deriveGroupSenderSecret(bobKeys.baseKey, bobKeys.epoch, bobKeys.ownIndex)).encrypt(new Uint8Array(0), Uint8Array.of(9));
    const atCarol = new SFrameReceiver(await deriveGroupSenderSecret(carolKeys.baseKey, carolKeys.epoch, 1));
    expect([...atCarol.open(new Uint8Array(0), frame).plaintext]).toEqual([9]);
  });

  it("needs no pin for the device's own user", async () => {
    const users = await makeUsers(['alice', 'bob']);
    const alice = user(users, 'alice');
    const bob = user(users, 'bob');
    alice.pins.delete('alice');
    bob.pins.delete('bob');
    const invite = await signedInvite(alice, GROUP, ['bob']);
    const group = await GroupSession.create(options(alice), invite);
    const outgoing = await group.commitAdd([fetchKeyPackage(bob)]);
    await group.handleCommit(outgoing.commit);
    if (outgoing.welcome === undefined) throw new Error('an Add makes a Welcome');
    const joined = await GroupSession.join(options(bob), outgoing.welcome, bob.keyPackages, [invite]);
    expect((await joined.epochKeys()).securityCode).toBe((await group.epochKeys()).securityCode);
  });

  it('changes the security code with every epoch', async () => {
    const call = await startCall(['alice', 'bob', 'carol']);
    const before = (await session(call, 'alice').epochKeys()).securityCode;
    const outgoing = await session(call, 'alice').commitRemove(['carol']);
    await fanOut([session(call, 'alice'), session(call, 'bob'), session(call, 'carol')], outgoing.commit);
    const after = await session(call, 'alice').epochKeys();
    expect(after.securityCode).not.toBe(before);
    expect((await session(call, 'bob').epochKeys()).securityCode).toBe(after.securityCode);
  });

  it('leaves a removed member unable to open the new epoch, though it opened the old one', async () => {
    const call = await startCall(['alice', 'bob', 'carol', 'dave']);
    const daveOld = await session(call, 'dave').epochKeys();
    const bob = session(call, 'bob');
    const bobOld = await bob.epochKeys();
    const oldFrame = new SFrameSender(await deriveGroupSenderSecret(bobOld.baseKey, bobOld.epoch, bobOld.ownIndex)).encrypt(new Uint8Array(0), Uint8Array.of(1, 2));

    const outgoing = await session(call, 'alice').commitRemove(['dave']);
    const outcomes = await fanOut([...call.sessions.values()], outgoing.commit);
    expect(outcomes[3]).toEqual({ kind: 'removed' });
    await expectGroupError(session(call, 'dave').epochKeys(), 'not-member');
    await expectGroupError(session(call, 'dave').commitRemove(['bob']), 'not-member');

    const bobNew = await bob.epochKeys();
    expect(bobNew.epoch).toBe(daveOld.epoch + 1n);
    expect(toHex(bobNew.baseKey)).not.toBe(toHex(daveOld.baseKey));
    const newFrame = new SFrameSender(await deriveGroupSenderSecret(bobNew.baseKey, bobNew.epoch, bobNew.ownIndex)).encrypt(new Uint8Array(0), Uint8Array.of(3, 4));
    // Dave's best try: his last base key under the new epoch's KID for Bob.
    const daveTry = new SFrameReceiver(await deriveGroupSenderSecret(daveOld.baseKey, bobNew.epoch, bobNew.ownIndex));
    expect(() => daveTry.open(new Uint8Array(0), newFrame)).toThrow(/authentication failed/);
    // The negative twin: the same receiver recipe opens what Bob sent in the old epoch.
    const daveOldReceiver = new SFrameReceiver(await deriveGroupSenderSecret(daveOld.baseKey, daveOld.epoch, bobOld.ownIndex));
    expect([...daveOldReceiver.open(new Uint8Array(0), oldFrame).plaintext]).toEqual([1, 2]);
  });

  it('gives a joiner nothing of the epochs before it joined', async () => {
    const call = await startCall(['alice', 'bob', 'carol'], ['bob', 'carol', 'dave'], ['dave']);
    const carol = session(call, 'carol');
    const before = await carol.epochKeys();
    const oldFrame = new SFrameSender(await deriveGroupSenderSecret(before.baseKey, before.epoch, before.ownIndex)).encrypt(new Uint8Array(0), Uint8Array.of(5));
    await addMember(call.users, call.sessions, call.invite, 'dave');
    const dave = await session(call, 'dave').epochKeys();
    expect(dave.epoch).toBe(before.epoch + 1n);
    expect(toHex(dave.baseKey)).not.toBe(toHex(before.baseKey));
    const daveTry = new SFrameReceiver(await deriveGroupSenderSecret(dave.baseKey, before.epoch, before.ownIndex));
    expect(() => daveTry.open(new Uint8Array(0), oldFrame)).toThrow(/authentication failed/);
  });

  it('refuses a Welcome that puts an unpinned key under a member name', async () => {
    const users = await makeUsers(['alice', 'bob', 'mallory']);
    const alice = user(users, 'alice');
    const bob = user(users, 'bob');
    const mallory = user(users, 'mallory');
    const invite = await signedInvite(alice, GROUP, ['bob']);
    // Mallory (the server, say) builds the group as "alice" with her own key, which she can sign for.
    const fakeAlice = { ...options(mallory), self: { userId: 'alice', identity: mallory.identity }, pinnedKey: (id: string) => (id === 'alice' ? mallory.identity.publicKey : mallory.pinnedKey(id)) };
    const forged = await GroupSession.create(fakeAlice, { invite: invite.invite, signature: await signGroupInvite(mallory.identity.secretKey, invite.invite) });
    const outgoing = await forged.commitAdd([fetchKeyPackage(bob)]);
    if (outgoing.welcome === undefined) throw new Error('an Add makes a Welcome');
    await expectGroupError(GroupSession.join(options(bob), outgoing.welcome, bob.keyPackages, [invite]), 'member-key-mismatch');
    // Her own Welcome bytes, altered: not a Welcome any more.
    const altered = Uint8Array.from(outgoing.welcome);
    altered[altered.length - 5] = (altered[altered.length - 5] ?? 0) ^ 0x01;
    await expectGroupError(GroupSession.join(options(bob), altered, bob.keyPackages, [invite]), 'bad-message');
  });

  it('refuses to join without a valid signed invite', async () => {
    const users = await makeUsers(['alice', 'bob', 'mallory']);
    const alice = user(users, 'alice');
    const bob = user(users, 'bob');
    const invite = await signedInvite(alice, GROUP, ['bob']);
    const group = await GroupSession.create(options(alice), invite);
    const outgoing = await group.commitAdd([fetchKeyPackage(bob)]);
    if (outgoing.welcome === undefined) throw new Error('an Add makes a Welcome');
    const byMallory = await signedInvite(user(users, 'mallory'), GROUP, ['bob']);
    await expectGroupError(GroupSession.join(options(bob), outgoing.welcome, bob.keyPackages, [{ invite: invite.invite, signature: byMallory.signature }]), 'bad-invite');
    await expectGroupError(GroupSession.join(options(bob), outgoing.welcome, bob.keyPackages, []), 'not-invited');
    // With the real invite the same Welcome opens.
    const joined = await GroupSession.join(options(bob), outgoing.welcome, bob.keyPackages, [invite]);
    await group.handleCommit(outgoing.commit);
    expect((await joined.epochKeys()).securityCode).toBe((await group.epochKeys()).securityCode);
  });

  it('refuses a Welcome to a group with a member the joiner has no invite for', async () => {
    const users = await makeUsers(['alice', 'frank', 'gina']);
    const alice = user(users, 'alice');
    const frank = user(users, 'frank');
    const onlyFrank = await signedInvite(alice, GROUP, ['frank']);
    const both = await signedInvite(alice, GROUP, ['frank', 'gina']);
    const group = await GroupSession.create(options(alice), both);
    await group.handleCommit((await group.commitAdd([fetchKeyPackage(user(users, 'gina'))])).commit);
    const outgoing = await group.commitAdd([fetchKeyPackage(frank)]);
    if (outgoing.welcome === undefined) throw new Error('an Add makes a Welcome');
    await expectGroupError(GroupSession.join(options(frank), outgoing.welcome, frank.keyPackages, [onlyFrank]), 'not-invited');
    const joined = await GroupSession.join(options(frank), outgoing.welcome, frank.keyPackages, [onlyFrank, both]);
    expect(joined.members().map((member) => member.userId)).toEqual(['alice', 'gina', 'frank']);
  });

  it('refuses a commit from outside the group, and a commit altered on the way', async () => {
    const call = await startCall(['alice', 'bob']);
    const mallory = (await makeUsers(['mallory'])).get('mallory');
    if (mallory === undefined) throw new Error('no mallory');
    const alice = session(call, 'alice');
    // A genuine commit, one bit flipped in its ciphertext.
    const outgoing = await alice.commitRemove(['bob']);
    const altered = Uint8Array.from(outgoing.commit);
    altered[altered.length - 3] = (altered[altered.length - 3] ?? 0) ^ 0x01;
    const bob = session(call, 'bob');
    const epoch = bob.epoch;
    await expectGroupError(bob.handleCommit(altered), 'bad-message');
    expect(bob.epoch).toBe(epoch);
    await expectGroupError(bob.handleCommit(new Uint8Array(MAX_HANDSHAKE_BYTES + 1)), 'bad-message');
    await expectGroupError(bob.handleCommit(outgoing.commit.subarray(0, 40)), 'bad-message');
    // Mallory's own group under the same id and epoch: its commit is not the group's.
    const own = { groupId: GROUP, owner: 'mallory', self: { userId: 'mallory', identity: mallory.identity }, pinnedKey: mallory.pinnedKey };
    const fake = await GroupSession.create(own, await signedInvite(mallory, GROUP, ['bob']));
    const carolLike = await makeUsers(['x1']);
    const x1 = user(carolLike, 'x1');
    mallory.pins.set('x1', x1.identity.publicKey);
    await fake.acceptInvite(await signedInvite(mallory, GROUP, ['x1']));
    await fake.handleCommit((await fake.commitAdd([fetchKeyPackage(x1)])).commit);
    expect(fake.epoch).toBe(epoch);
    const forged = await fake.commitRemove(['x1']);
    await expectGroupError(bob.handleCommit(forged.commit), 'bad-message');
    expect(bob.epoch).toBe(epoch);
    // The genuine one still goes through.
    expect(await bob.handleCommit(outgoing.commit)).toEqual({ kind: 'removed' });
  });

  it("refuses an Add whose KeyPackage is not under the user's pinned key", async () => {
    const call = await startCall(['alice', 'bob', 'carol'], ['bob', 'carol', 'erin'], ['erin', 'mallory']);
    const alice = user(call.users, 'alice');
    const mallory = user(call.users, 'mallory');
    // Mallory publishes a KeyPackage as "erin" under her own key.
    const { KeyPackageStore } = await import('./key-packages');
    const asErin = await new KeyPackageStore({ userId: 'erin', identity: mallory.identity }).generateBatch(1);
    const swapped = { userId: 'erin', keyPackage: asErin.oneTime[0] ?? new Uint8Array(0) };
    // Alice's own pins catch it before any commit.
    await expectGroupError(session(call, 'alice').commitAdd([swapped]), 'member-key-mismatch');
    // An Alice with a wrong pin for erin commits it; Bob, with the right pin, refuses the commit.
    alice.pins.set('erin', mallory.identity.publicKey);
    const outgoing = await session(call, 'alice').commitAdd([swapped]);
    const bob = session(call, 'bob');
    const epoch = bob.epoch;
    await expectGroupError(bob.handleCommit(outgoing.commit), 'member-key-mismatch');
    expect(bob.epoch).toBe(epoch);
  });

  it('refuses an Add of someone no signed invite names', async () => {
    const call = await startCall(['alice', 'bob', 'carol'], ['bob', 'carol'], ['frank']);
    const alice = session(call, 'alice');
    // Alice holds an extended invite naming frank; Bob never got it.
    await alice.acceptInvite(await signedInvite(user(call.users, 'alice'), GROUP, ['bob', 'carol', 'frank']));
    const outgoing = await alice.commitAdd([fetchKeyPackage(user(call.users, 'frank'))]);
    await expectGroupError(session(call, 'bob').handleCommit(outgoing.commit), 'not-invited');
    // Once Bob has the extended invite, the same commit is accepted.
    await session(call, 'bob').acceptInvite(await signedInvite(user(call.users, 'alice'), GROUP, ['bob', 'carol', 'frank']));
    expect(await session(call, 'bob').handleCommit(outgoing.commit)).toMatchObject({ kind: 'epoch', own: false });
    // And an Add for an uninvited user is not even made.
    await expectGroupError(alice.commitAdd([{ userId: 'zoe', keyPackage: new Uint8Array(10) }]), 'not-invited');
  });

  it('refuses a commit with a proposal a group call never makes', async () => {
    // A member whose app is not Sealcall's: ts-mls driven directly, under Alice's real key.
    const users = await makeUsers(['alice', 'bob']);
    const alice = user(users, 'alice');
    const bob = user(users, 'bob');
    const cs = await groupCipherSuite();
    const own = await generateKeyPackageWithKey(credentialFor('alice'), defaultCapabilities(), defaultLifetime, [], signatureKeyPair(alice.identity), cs);
    let raw = await createGroup(new TextEncoder().encode(GROUP), own.publicPackage, own.privatePackage, [], cs);
    const bobPackage = await openFetchedKeyPackage(fetchKeyPackage(bob).keyPackage, 'bob', bob.pinnedKey);
    const added = await createCommit({ state: raw, cipherSuite: cs }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: bobPackage } }], ratchetTreeExtension: true });
    raw = added.newState;
    if (added.welcome === undefined) throw new Error('an Add makes a Welcome');
    const welcome = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: added.welcome });
    const invite = await signedInvite(alice, GROUP, ['bob']);
    const joined = await GroupSession.join(options(bob), welcome, bob.keyPackages, [invite]);
    const odd = await createCommit({ state: raw, cipherSuite: cs }, { extraProposals: [{ proposalType: 'group_context_extensions', groupContextExtensions: { extensions: [] } }] });
    const epoch = joined.epoch;
    await expectGroupError(joined.handleCommit(encodeMlsMessage(odd.commit)), 'unsupported-proposal');
    expect(joined.epoch).toBe(epoch);
    // An empty commit from the same member (a fresh update path, nothing else) is accepted.
    const empty = await createCommit({ state: raw, cipherSuite: cs }, {});
    expect(await joined.handleCommit(encodeMlsMessage(empty.commit))).toMatchObject({ kind: 'epoch', own: false });
  });

  it('orders two commits for one epoch: the second is stale and is retried on the new epoch', async () => {
    const call = await startCall(['alice', 'bob', 'carol', 'dave'], ['bob', 'carol', 'dave', 'erin'], ['erin']);
    const everyone = () => [...call.sessions.values()];
    const bob = session(call, 'bob');
    const carol = session(call, 'carol');
    const epoch = bob.epoch;
    const first = await bob.commitRemove(['dave']);
    const erin = user(call.users, 'erin');
    const second = await carol.commitAdd([fetchKeyPackage(erin)]);
    expect(first.epoch).toBe(epoch);
    expect(second.epoch).toBe(epoch);
    // The server takes Bob's first and fans it out.
    const outcomes = await fanOut(everyone(), first.commit);
    expect(outcomes).toEqual([
      { kind: 'epoch', epoch: epoch + 1n, own: false, superseded: false },
      { kind: 'epoch', epoch: epoch + 1n, own: true, superseded: false },
      { kind: 'epoch', epoch: epoch + 1n, own: false, superseded: true },
      { kind: 'removed' },
    ]);
    call.sessions.delete('dave');
    // Carol's commit, processed after Bob's, is for an epoch that is over.
    await expectGroupError(session(call, 'alice').handleCommit(second.commit), 'stale-epoch');
    await expectGroupError(carol.handleCommit(second.commit), 'stale-epoch');
    // Carol retries on the new epoch; her old Welcome is dead, the new one works.
    const retry = await carol.commitAdd([fetchKeyPackage(erin)]);
    expect(retry.epoch).toBe(epoch + 1n);
    await fanOut(everyone(), retry.commit);
    if (retry.welcome === undefined || second.welcome === undefined) throw new Error('an Add makes a Welcome');
    // The refused commit's Welcome is still a valid Welcome, to an epoch nobody else is in: the
    // server relays a Welcome only with its accepted commit, and even so it holds no key of the call.
    const ghost = await GroupSession.join(options(erin), second.welcome, erin.keyPackages, [call.invite]);
    expect((await ghost.epochKeys()).securityCode).not.toBe((await carol.epochKeys()).securityCode);
    ghost.wipe();
    call.sessions.set('erin', await GroupSession.join(options(erin), retry.welcome, erin.keyPackages, [call.invite]));
    const codes = new Set([...(await keysOf(call)).values()].map((k) => k.securityCode));
    expect(codes.size).toBe(1);
  });
});

describe('application messages (members\' states)', () => {
  it('opens a member\'s message of this epoch and the one before with its sender, and refuses a replay, an older epoch, another group\'s, or one after removal', async () => {
    const call = await startCall(['alice', 'bob', 'carol'], ['bob', 'carol', 'dave'], ['dave']);
    const alice = session(call, 'alice');
    const bob = session(call, 'bob');
    const epoch = alice.epoch;
    const early = await bob.sealApplication(Uint8Array.of(1, 1));
    const crossing = await bob.sealApplication(Uint8Array.of(1, 2));
    const now = await bob.sealApplication(Uint8Array.of(1, 4));

    const opened = await alice.openApplication(now);
    expect({ userId: opened.userId, epoch: opened.epoch, plaintext: [...opened.plaintext] }).toEqual({ userId: 'bob', epoch, plaintext: [1, 4] });
    await expectGroupError(alice.openApplication(now), 'bad-message');

    // Carol removed: the message Bob sent before the commit still opens, one after it not for Carol.
    const removal = await alice.commitRemove(['carol']);
    await fanOut([alice, bob, session(call, 'carol')], removal.commit);
    const afterCommit = await alice.openApplication(crossing);
    expect({ userId: afterCommit.userId, epoch: afterCommit.epoch }).toEqual({ userId: 'bob', epoch });
    await expectGroupError(session(call, 'carol').openApplication(await bob.sealApplication(Uint8Array.of(1, 8))), 'not-member');
    call.sessions.delete('carol');

    // Two epochs on, the first one's message is refused.
    await addMember(call.users, call.sessions, call.invite, 'dave');
    expect(alice.epoch).toBe(epoch + 2n);
    await expectGroupError(alice.openApplication(early), 'stale-epoch');

    // Another group's, from a member of both, and garbage.
    const elsewhere = await GroupSession.create({ ...options(user(call.users, 'bob'), 'bob'), groupId: 'group-call-2' }, await signedInvite(user(call.users, 'bob'), 'group-call-2', ['alice']));
    await expectGroupError(alice.openApplication(await elsewhere.sealApplication(Uint8Array.of(1, 0))), 'wrong-group');
    await expectGroupError(alice.openApplication(Uint8Array.of(0, 1, 2, 3)), 'bad-message');
    elsewhere.wipe();
  });
});
