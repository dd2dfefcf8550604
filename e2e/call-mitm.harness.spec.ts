import type { CallKeys, CallView, Contact, HistoryView } from '../shared/ipc';
import { toBase64Url } from '../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey } from '../shared/crypto/identity';
import { expect, test } from './fixtures';
import { snapshot } from './harness/call-driver';
import { Company, unwrap, type CompanyUser } from './harness/company';
import { TamperingProxy } from './harness/tampering-proxy';

/*
 * A malicious server: every client talks to the real server through a proxy that, on cue, tells
 * Alice that Bob has a different identity key (one the attacker holds). Alice's app must notice
 * the change against the key it pinned, gate the call behind the new safety number, and, if she
 * calls anyway, the handshake must fail: no call keys on either side, nothing connects, and Alice
 * sees why.
 */


interface SafetyNumber {
  digits: string;
  keyChanged: boolean;
  verified: boolean;
}

test("a server that swaps Bob's key: Alice is warned, and calling anyway fails the handshake", async ({ harness, hostKind }, testInfo) => {
  testInfo.skip(hostKind === 'electron', 'needs the core in the test process (harness only)');

  // The proxy listens first: its URL is the one the server advertises and clients sign.
  const proxy = await TamperingProxy.listen();
  let company: Company | undefined;
  try {
    company = await Company.open(harness, ['--public-url', proxy.url]);
    proxy.forwardTo(company.server.wsUrl);
    // Invite links name the proxy, so every user connects through it.
    expect(new URL(await company.inviteLink('carol', 'Carol Cole')).searchParams.get('server')).toBe(proxy.url);

    // 1. Honest server: both enroll through the proxy, see each other, and Alice pins Bob's real key.
    const alice = await company.enrolledUser('alice', 'Alice Archer');
    const bob = await company.enrolledUser('bob', 'Bob Baker');
    await company.seeEachOther(alice, bob);
    expect(bobContact(await contacts(alice))).toMatchObject({ keyChanged: false, verified: false, presence: 'online' });
    const pinned = await safetyNumber(alice, 'bob');
    expect(pinned.keyChanged).toBe(false);
    expect(proxy.rewritten).toBe(0);

    const keysSeen: { who: string; keys: CallKeys }[] = [];
    const statesSeen: Record<string, CallView['state'][]> = { alice: [], bob: [] };
    for (const [who, user] of [['alice', alice], ['bob', bob]] as const) {
      user.host.on('call.event', (event) => {
        if (event.kind === 'keys') keysSeen.push({ who, keys: event.keys });
        if (event.kind === 'view') statesSeen[who]?.push(event.view.state);
      });
    }

    // 2. The server turns: Bob's key, as Alice will see it, is now the attacker's. Dropping Alice's
    //    socket makes her core reconnect and ask for the directory again.
    const attacker = await generateIdentityKeyPair();
    proxy.swapKey('bob', toBase64Url(serializeIdentityKey(attacker.publicKey)));
    expect(proxy.disconnect('alice'), "Alice's connections dropped").toBeGreaterThan(0);

    // 3. Alice's core notices against the pinned key.
    await expect
      .poll(async () => bobContact(await contacts(alice)), { message: 'Alice sees the changed key', timeout: 15_000 })
      .toMatchObject({ keyChanged: true, verified: false, presence: 'online' });
    expect(proxy.rewritten, 'the proxy lied at least once').toBeGreaterThan(0);
    const changed = await safetyNumber(alice, 'bob');
    expect(changed).toMatchObject({ keyChanged: true, verified: false });
    expect(changed.digits, 'a new safety number').not.toBe(pinned.digits);
    // Bob's own view of Alice is untouched.
    expect(unwrap<Contact[]>(await bob.host.invoke('contacts.list', undefined)).find((c) => c.id === 'alice')).toMatchObject({ keyChanged: false });

    // The UI gates the call behind the new safety number.
    await alice.page.getByRole('button', { name: 'Call Bob Baker', exact: true }).click();
    const gate = alice.page.getByRole('dialog', { name: "Bob Baker's safety number changed" });
    await expect(gate).toBeVisible();
    const shown = gate.getByRole('list', { name: 'New safety number with Bob Baker' });
    await expect(shown.getByRole('listitem')).toHaveCount(12);
    await expect.poll(async () => (await gate.innerText()).replace(/\D/g, ''), { message: 'the gate shows the new safety number' }).toBe(changed.digits);
    await gate.getByRole('button', { name: 'Call anyway' }).click();
    await expect(gate).toBeHidden();
    await alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' }).getByRole('button', { name: 'Call', exact: true }).click();

    // 4. Alice's invite is signed with her real key, but over the transcript she sees, which names
    //    the attacker's key as Bob's: Bob's core checks it against his own real key, refuses it
    //    without ringing, and tells Alice the handshake failed.
    await expect
      .poll(async () => (await snapshot(alice.page)).call?.endReason, { message: "Alice's call ends", timeout: 15_000 })
      .toBe('handshake-failed');
    await expect(alice.page.getByText("Call ended: Bob's key did not check out")).toBeVisible();
    expect((await snapshot(alice.page)).call?.state).toBe('ended');
    await expect.poll(async () => alice.host.invoke('call.current', undefined)).toEqual({ ok: true, value: null });
    await expect.poll(async () => bob.host.invoke('call.current', undefined)).toEqual({ ok: true, value: null });

    const history = unwrap<HistoryView>(await alice.host.invoke('history.list', undefined));
    expect(history.items).toEqual([expect.objectContaining({ peerId: 'bob', direction: 'outgoing', outcome: 'failed', reason: 'handshake-failed' })]);

    // Nothing connected, and no call keys were ever handed out, on either side.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.log(`states: ${JSON.stringify(statesSeen)}; rewritten: ${proxy.rewritten}`);
    expect(keysSeen, 'call keys handed to either page').toEqual([]);
    expect(statesSeen['bob'], 'Bob never rang: no call at all on his side').toEqual([]);
    expect(statesSeen['alice'], 'Alice never connected').not.toContain('connected');
    expect(statesSeen['alice']?.at(-1)).toBe('ended');
    expect((await snapshot(bob.page)).call, "Bob's engine has no call").toBeNull();
    for (const page of [alice.page, bob.page]) {
      const view = await snapshot(page);
      expect(view.call?.shortCode ?? null).toBeNull();
      expect(view.encryption).not.toBe('encrypted');
      expect(view.remoteTracks).toBe(0);
    }
  } finally {
    await company?.close();
    await proxy.close();
  }
});

async function contacts(user: CompanyUser): Promise<Contact[]> {
  return unwrap<Contact[]>(await user.host.invoke('contacts.list', undefined));
}

function bobContact(list: Contact[]): Contact | undefined {
  return list.find((contact) => contact.id === 'bob');
}

async function safetyNumber(user: CompanyUser, userId: string): Promise<SafetyNumber> {
  return unwrap<SafetyNumber>(await user.host.invoke('contacts.safetyNumber', { userId }));
}
