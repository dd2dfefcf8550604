import type { Contact, GroupEvent } from '../shared/ipc';
import { toBase64Url } from '../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../shared/crypto/identity';
import { randomCallId } from '../server/test-support/harness.fixture';
import { expect, test } from './fixtures';
import { Company, unwrap, type CompanyUser } from './harness/company';
import { acceptGroup, groupState, startGroup } from './harness/group-driver';
import { committedMessage, forgedRing, RogueGroup, storedIdentityKey, storedKeyPackage, welcomeMessage } from './harness/group-tampering';
import { TamperingProxy } from './harness/tampering-proxy';

/*
 * The company server turned hostile against group calls, in the app: every client talks to the real
 * server through a proxy that, on cue, forges (e2e/harness/group-tampering.ts). A ring with an
 * invite the owner never signed rings nothing; a real Welcome of the server's own MLS group makes
 * the joiner leave rather than enter it; an Add the server made in its own group makes every member
 * leave rather than follow it; a swapped key meets the key-change gate. Each shows on the screen.
 * The core-level twin, with more variants, is electron/core/group/group-hostile-server.test.ts.
 */

const REFUSED_NOTICE = 'You left the group call: a change to the group could not be checked against the safety numbers you hold.';

test.describe.configure({ timeout: 240_000 });

function recordEvents(user: CompanyUser): GroupEvent[] {
  const events: GroupEvent[] = [];
  user.host.on('group.event', (event) => {
    events.push(event);
  });
  return events;
}

test("a hostile server's forged ring, Welcome and Add are refused on screen, and a swapped key meets the gate", async ({ harness, hostKind }, testInfo) => {
  testInfo.skip(hostKind === 'electron', 'needs the core in the test process (harness only)');
  const proxy = await TamperingProxy.listen();
  let company: Company | undefined;
  try {
    company = await Company.open(harness, ['--public-url', proxy.url]);
    proxy.forwardTo(company.server.wsUrl);
    const alice = await company.enrolledUser('alice', 'Alice Archer');
    const bob = await company.enrolledUser('bob', 'Bob Baker');
    const carol = await company.enrolledUser('carol', 'Carol Chen');
    await company.seeEachOther(alice, bob, carol);
    const events = { alice: recordEvents(alice), bob: recordEvents(bob), carol: recordEvents(carol) };
    const server = await generateIdentityKeyPair();

    // 1. A ring "from Alice" whose invite the server signed itself: nothing rings at Bob's.
    const forged = await forgedRing({ groupId: randomCallId(), owner: 'alice', invitees: ['bob'], members: ['alice'], media: 'audio', signWith: server.secretKey });
    expect(proxy.inject('bob', forged)).toBe(1);
    await expect.poll(() => events.bob.find((event) => event.kind === 'refused' && event.groupId === forged['groupId']), { message: "Bob's app refuses the forged ring" }).toMatchObject({
      code: 'bad-invite',
      userId: 'alice',
    });
    await expect(bob.page.getByRole('alertdialog')).toHaveCount(0);

    // 2. Alice's real call with Bob and Carol; Bob joins, and his ring (the real one) shows Alice.
    await startGroup(alice.page, ['bob', 'carol'], 'audio');
    await expect(bob.page.getByRole('alertdialog').getByRole('heading', { name: alice.displayName })).toBeVisible({ timeout: 60_000 });
    await acceptGroup(bob.page, 'audio');
    await expect.poll(async () => (await groupState(alice.page)).view?.epoch, { message: 'Bob is in the MLS group', timeout: 60_000 }).toBe(1);
    const groupId = (await groupState(alice.page)).view?.groupId;
    if (groupId === undefined) throw new Error('no group');

    // 3. Carol accepts; the server keeps her join to itself and sends her a real Welcome of its own
    //    MLS group (under this group's id, from her own published KeyPackage).
    const held: unknown[] = [];
    proxy.divertFrom('carol', ['group.join'], (message) => held.push(message));
    const carolsPackage = storedKeyPackage(company.server.dataDir, 'carol');
    await acceptGroup(carol.page, 'audio');
    await expect.poll(() => held.length, { message: "Carol's join reached the proxy" }).toBe(1);
    const rogueWelcome = await RogueGroup.start(groupId, { userId: 'alice', identity: server }, ['carol'], new Map([['carol', storedIdentityKey(company.server.dataDir, 'carol')]]));
    const welcome = await rogueWelcome.add('carol', carolsPackage);
    rogueWelcome.wipe();
    expect(proxy.inject('carol', welcomeMessage(groupId, 'alice', welcome))).toBe(1);
    await expect(carol.page.getByText(REFUSED_NOTICE)).toBeVisible({ timeout: 60_000 });
    expect((await groupState(carol.page)).view).toMatchObject({ state: 'ended', endReason: 'member-refused', epoch: null });
    expect(events.carol.filter((event) => event.kind === 'keys' && event.groupId === groupId)).toEqual([]);
    proxy.divertFrom('carol', [], () => undefined);

    // 4. The server fans out, as the next commit, an Add of Carol it made in its own MLS group:
    //    Alice and Bob cannot follow it, so they leave and say why.
    const rogueCommit = await RogueGroup.start(groupId, { userId: 'alice', identity: server }, ['carol'], new Map([['carol', storedIdentityKey(company.server.dataDir, 'carol')]]));
    await rogueCommit.reach(1);
    const add = await rogueCommit.add('carol', storedKeyPackage(company.server.dataDir, 'carol'));
    rogueCommit.wipe();
    for (const user of [alice, bob]) expect(proxy.inject(user.userId, committedMessage(groupId, 'alice', add))).toBe(1);
    for (const user of [alice, bob]) {
      await expect(user.page.getByText(REFUSED_NOTICE)).toBeVisible({ timeout: 60_000 });
      expect((await groupState(user.page)).view).toMatchObject({ state: 'ended', endReason: 'member-refused' });
      const keys = events[user.userId as 'alice' | 'bob'].flatMap((event) => (event.kind === 'keys' && event.groupId === groupId ? [event.keys] : []));
      expect(keys.map((epochKeys) => epochKeys.epoch)).toEqual(user === alice ? [0, 1] : [1]);
      expect(keys.flatMap((epochKeys) => epochKeys.senders.map((sender) => sender.userId))).not.toContain('carol');
    }

    // 5. The server swaps Bob's key; Alice's app reads the directory again and meets the gate.
    proxy.swapKey('bob', toBase64Url(serializeIdentityKey(server.publicKey)));
    expect(proxy.disconnect('alice')).toBeGreaterThan(0);
    await expect
      .poll(async () => unwrap<Contact[]>(await alice.host.invoke('contacts.list', undefined)).find((contact) => contact.id === 'bob')?.keyChanged, {
        message: "Bob's key changed at Alice's",
        timeout: 60_000,
      })
      .toBe(true);
    const gate = await alice.page.evaluate(async () => {
      try {
        await window.sealcallGroupDiagnostics?.engine.start(['bob'], 'audio');
        return 'started';
      } catch (error) {
        const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
        return `${String(code)}: ${String(message)}`;
      }
    });
    // The page's gate ('key-changed') or, behind it, the core's: no usable key for Bob until Alice confirms.
    expect(gate).toMatch(/^key-changed|^group-refused: unknown-member: bob /);
    for (const user of [alice, bob, carol]) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
  } finally {
    await company?.close();
    await proxy.close();
  }
});

