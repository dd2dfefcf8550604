import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../../../shared/crypto/identity';
import { PROTOCOL_VERSION } from '../../../shared/protocol';
import { randomCallId, type ServerProcess } from '../../../server/test-support/harness.fixture';
import type { NodeGroupCore } from '../../../e2e/harness/group-cores';
import { aliceCallsGroup, openProxiedCores, type ProxiedCores } from '../../../e2e/harness/proxied-group-cores';
import {
  answerFetches,
  committedMessage,
  forgedInviteList,
  forgedRing,
  keyPackageUnder,
  RogueGroup,
  storedKeyPackage,
  welcomeMessage,
} from '../../../e2e/harness/group-tampering';
import type { TamperingProxy } from '../../../e2e/harness/tampering-proxy';
import { isGroupError } from './group-error';

/*
 * The company server turned hostile, against real cores (OnlineSession, group-call manager, ts-mls)
 * and a real server process behind a tampering proxy: every client dials the proxy, which relays
 * honestly until told to lie. The server holds no leaf key; what it can forge is in
 * e2e/harness/group-tampering.ts. Each attack must be refused with something the user sees (a
 * `refused` event, a call that ends as `member-refused`, a changed key), and no uninvited user may
 * ever be among any member's senders.
 */

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

let company: ProxiedCores;
let proxy: TamperingProxy;
let server: ServerProcess;
const core = (userId: string): NodeGroupCore => company.core(userId);
const keysOf = (userId: string): Uint8Array => company.keysOf(userId).publicKey;

beforeAll(async () => {
  company = await openProxiedCores(USERS, ['mallory']);
  ({ proxy, server } = company);
}, 90_000);

afterAll(async () => {
  await company.close();
});

const startGroup = (invitees: readonly string[], joiners: readonly string[]) => aliceCallsGroup(company, invitees, joiners, 'audio');

function sendersEver(userId: string, groupId: string): string[] {
  return [...new Set(core(userId).keysOf(groupId).flatMap((keys) => keys.senders.map((sender) => sender.userId)))];
}

async function ended(userId: string, groupId: string) {
  return core(userId).view(groupId, (view) => view.state === 'ended', 'ended');
}

describe('a hostile server cannot put anyone in a group call', () => {
  it('says an uninvited user joined, with a forged invite list and her KeyPackage ready: nobody adds her', async () => {
    const { groupId } = await startGroup(['bob', 'carol'], ['bob', 'carol']);
    const forger = await generateIdentityKeyPair();
    const asked = answerFetches(proxy, 'alice', new Map([['erin', storedKeyPackage(server.dataDir, 'erin')]]));
    try {
      // A new invite list "from Alice" naming Erin, signed by the server's own key, then Erin "joining".
      const list = await forgedInviteList({ groupId, owner: 'alice', invitees: ['bob', 'carol', 'erin'], media: 'audio', signWith: forger.secretKey });
      const joined = { v: PROTOCOL_VERSION, type: 'group.joined', groupId, userId: 'erin', members: ['alice', 'bob', 'carol', 'erin'], epoch: 2 };
      for (const id of ['alice', 'bob', 'carol']) {
        expect(proxy.inject(id, list)).toBe(1);
        expect(proxy.inject(id, joined)).toBe(1);
      }
      // A real change after the lies (each core handles messages in order): Carol leaves, Alice
      // removes her. Had anyone taken the lie, Erin would have been added first.
      core('carol').groups.leave(groupId);
      const after = await Promise.all(['alice', 'bob'].map((id) => core(id).keys(groupId, 3)));
      for (const keys of after) expect(keys.senders.map((sender) => sender.userId).sort()).toEqual(['alice', 'bob']);
      expect(asked).not.toContain('erin');
      for (const id of ['alice', 'bob']) {
        expect(core(id).viewsOf(groupId).every((view) => !view.invitees.includes('erin'))).toBe(true);
        expect(sendersEver(id, groupId)).not.toContain('erin');
      }
    } finally {
      answerFetches(proxy, 'alice', new Map());
      proxy.divertFrom('alice', [], () => undefined);
    }
    core('alice').groups.end(groupId);
    await ended('bob', groupId);
  }, 90_000);

  it('fans out an Add of an uninvited user it made in an MLS group of its own: every member refuses it and leaves', async () => {
    const { groupId, epoch } = await startGroup(['bob', 'carol'], ['bob', 'carol']);
    // The server's own MLS group under this group's id, owned by an enrolled accomplice, padded to
    // the members' epoch; its commit adds Erin from a KeyPackage the server holds.
    const mallory = { keys: company.keysOf('mallory') };
    const rogue = await RogueGroup.start(groupId, { userId: 'mallory', identity: mallory.keys }, ['erin'], new Map([['erin', keysOf('erin')]]));
    await rogue.reach(epoch);
    const add = await rogue.add('erin', storedKeyPackage(server.dataDir, 'erin'));
    rogue.wipe();
    expect(Number(add.epoch)).toBe(epoch);
    for (const id of ['alice', 'bob', 'carol']) expect(proxy.inject(id, committedMessage(groupId, 'alice', add))).toBe(1);
    // Erin is sent the Welcome too; she is in no call, so it opens nothing.
    expect(proxy.inject('erin', welcomeMessage(groupId, 'alice', add))).toBe(1);
    for (const id of ['alice', 'bob', 'carol']) {
      const view = await ended(id, groupId);
      expect(view).toMatchObject({ endReason: 'member-refused', epoch: null, securityCode: null });
      expect(core(id).refusals(groupId)).toMatchObject([{ code: 'bad-message' }]);
      expect(core(id).keysOf(groupId).map((keys) => keys.epoch)).not.toContain(epoch + 1);
      expect(sendersEver(id, groupId)).not.toContain('erin');
    }
    expect(core('erin').viewsOf(groupId)).toEqual([]);
    expect(core('erin').keysOf(groupId)).toEqual([]);
  }, 90_000);

  it("sends a joiner a real Welcome of its own group (from the joiner's own KeyPackage) before the real one: refused, the joiner leaves", async () => {
    const { groupId } = await startGroup(['bob', 'carol'], ['bob']);
    await core('carol').view(groupId, (view) => view.state === 'incoming', 'incoming');
    // The server keeps Carol's join to itself, so only its Welcome can come.
    const held: Record<string, unknown>[] = [];
    proxy.divertFrom('carol', ['group.join'], (message) => held.push(message));
    try {
      const keyPackage = storedKeyPackage(server.dataDir, 'carol');
      core('carol').groups.accept(groupId, core('carol').fingerprint);
      const mallory = { keys: company.keysOf('mallory') };
      const rogue = await RogueGroup.start(groupId, { userId: 'mallory', identity: mallory.keys }, ['carol'], new Map([['carol', keysOf('carol')]]));
      const add = await rogue.add('carol', keyPackage);
      rogue.wipe();
      expect(proxy.inject('carol', welcomeMessage(groupId, 'alice', add))).toBe(1);
      const view = await ended('carol', groupId);
      expect(held).toHaveLength(1);
      expect(view).toMatchObject({ endReason: 'member-refused', epoch: null });
      // The Welcome's tree has Mallory in it, whom no invite of Alice's names.
      expect(core('carol').refusals(groupId)).toMatchObject([{ code: 'not-invited' }]);
      expect(core('carol').keysOf(groupId)).toEqual([]);
    } finally {
      proxy.divertFrom('carol', [], () => undefined);
    }
    core('alice').groups.end(groupId);
    await ended('bob', groupId);
  }, 90_000);

  it('rings with invites the owner never signed: nothing rings, the user sees a refusal, the app declines', async () => {
    const forger = await generateIdentityKeyPair();
    const alice = { keys: company.keysOf('alice') };
    const genuine = { groupId: randomCallId(), owner: 'alice', invitees: ['bob'], media: 'audio' as const, issuedAt: Date.now() };
    const rings = [
      // Alice's name, the server's key.
      { expected: 'bad-invite', ring: await forgedRing({ groupId: randomCallId(), owner: 'alice', invitees: ['dave'], members: ['alice'], media: 'audio', signWith: forger.secretKey }) },
      // A genuine invite of Alice's for another group, replayed under a new group id.
      { expected: 'bad-invite', ring: await forgedRing({ groupId: randomCallId(), owner: 'alice', invitees: ['dave'], members: ['alice'], media: 'audio', signWith: alice.keys.secretKey, signed: genuine }) },
      // Genuine and relayed as signed, but it names Bob, not Dave.
      { expected: 'not-invited', ring: await forgedRing({ groupId: genuine.groupId, owner: 'alice', invitees: ['bob'], members: ['alice'], media: 'audio', signWith: alice.keys.secretKey, signed: genuine }) },
    ];
    // The app's declines, kept from the server; each ring's is awaited after its refusal.
    const declines: unknown[] = [];
    let declined: () => void = () => undefined;
    proxy.divertFrom('dave', ['group.decline'], (message) => {
      declines.push(message['groupId']);
      declined();
    });
    const declineOf = (groupId: string) =>
      declines.includes(groupId) ? Promise.resolve() : new Promise<void>((resolve) => (declined = () => { if (declines.includes(groupId)) resolve(); }));
    try {
      for (const { ring, expected } of rings) {
        const groupId = String(ring['groupId']);
        expect(proxy.inject('dave', ring)).toBe(1);
        const refused = await core('dave').waitFor((e) => e.kind === 'refused' && e.groupId === groupId, 'refused ring');
        // The first (and only) event of that group's stream: the IPC carries only seq ≥ 1.
        expect(refused.event).toMatchObject({ code: expected, userId: 'alice', seq: 1 });
        expect(core('dave').viewsOf(groupId)).toEqual([]);
        expect(core('dave').groups.view(groupId)).toBeUndefined();
        await declineOf(groupId);
      }
      expect(declines).toEqual(rings.map(({ ring }) => ring['groupId']));
    } finally {
      proxy.divertFrom('dave', [], () => undefined);
    }
  }, 60_000);

  it("swaps a member's key in the directory: the key-change gate holds, and a KeyPackage under the swapped key is never added", async () => {
    // Dave is invited while his key is still the real one; Bob joins.
    const { groupId } = await startGroup(['bob', 'dave'], ['bob']);
    const attacker = await generateIdentityKeyPair();
    proxy.swapKey('dave', toBase64Url(serializeIdentityKey(attacker.publicKey)));
    const swapped = await keyPackageUnder('dave', attacker);
    const askedByAlice = answerFetches(proxy, 'alice', new Map([['dave', swapped]]));
    const askedByBob = answerFetches(proxy, 'bob', new Map([['dave', swapped]]));
    core('alice').tuning.fallbackMs = 200;
    core('bob').tuning.fallbackMs = 200;
    try {
      // Alice's app reconnects and reads the directory again: Dave's key "changed".
      expect(proxy.disconnect('alice')).toBeGreaterThan(0);
      await core('alice').contactWhere((contacts) => contacts.some((contact) => contact.id === 'dave' && contact.keyChanged), 'dave key-changed');
      expect(core('alice').session.contacts.peer('dave')?.keyChanged).toBe(true);
      // The gate: nobody can be invited under a key the user has not seen and confirmed (Alice is
      // in this call, so a new one would be refused as busy first: she invites into this one).
      const refusedInvite = await core('alice').groups.invite(groupId, ['dave']).catch((error: unknown) => error);
      expect(isGroupError(refusedInvite) && refusedInvite.code).toBe('key-changed');

      await core('dave').view(groupId, (view) => view.state === 'incoming', 'incoming');
      core('dave').groups.accept(groupId, core('dave').fingerprint);
      // Alice (no usable key for Dave) and then Bob (Dave's pinned key is not the one it is under) refuse.
      const byAlice = await core('alice').waitFor((e) => e.kind === 'refused' && e.groupId === groupId, 'refused KeyPackage');
      const byBob = await core('bob').waitFor((e) => e.kind === 'refused' && e.groupId === groupId, 'refused KeyPackage');
      expect(byAlice.event).toMatchObject({ code: 'unknown-member', userId: 'dave' });
      expect(byBob.event).toMatchObject({ code: 'member-key-mismatch', userId: 'dave' });
      expect(askedByAlice.concat(askedByBob)).toEqual(['dave', 'dave']);
      for (const id of ['alice', 'bob']) {
        expect(core(id).groups.view(groupId)).toMatchObject({ state: 'active', epoch: 1 });
        expect(sendersEver(id, groupId)).toEqual(['alice', 'bob']);
      }
      expect(core('dave').keysOf(groupId)).toEqual([]);
    } finally {
      proxy.stopSwapping();
      for (const id of ['alice', 'bob']) proxy.divertFrom(id, [], () => undefined);
      delete core('alice').tuning.fallbackMs;
      delete core('bob').tuning.fallbackMs;
    }
    core('alice').groups.end(groupId);
    await ended('bob', groupId);
  }, 90_000);
});
