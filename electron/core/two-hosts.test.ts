import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallKeys, CallView, Contact, IdentityStatus } from '../../shared/ipc';
import { newCallId } from '../../shared/protocol';
import { removeDataDir, runCli, startServerProcess, type ServerProcess } from '../../server/test-support/harness.fixture';
import { PASSPHRASE, UserHost } from './test-support/user-host.fixture';

/*
 * The main-process core of two (or three) users, each a real host with its own keystore, against
 * a real server process: enrollment from real invite links, then calls between them.
 */

const FP = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
const media = { audio: true, video: true };

let server: ServerProcess;
const hosts: UserHost[] = [];

async function inviteLink(userId: string, name: string, extra: string[] = []): Promise<string> {
  const result = await runCli(['invite', userId, '--name', name, '--data-dir', server.dataDir, ...extra]);
  const link = /sealcall:\/\/enroll\?\S+/.exec(result.stdout)?.[0];
  if (!link) throw new Error(`no link in: ${result.stdout} ${result.stderr}`);
  return link;
}

async function enrolledUser(userId: string, name: string, extra: string[] = []): Promise<UserHost> {
  const user = new UserHost(userId);
  hosts.push(user);
  const status = (await user.call('identity.enroll', { link: await inviteLink(userId, name, extra), deviceName: `${name}'s laptop`, passphrase: PASSPHRASE })) as IdentityStatus;
  expect(status).toMatchObject({ state: 'ready', userId, sealer: 'passphrase' });
  await user.waitFor('connection.changed', (state) => state.state === 'online');
  return user;
}

const sees = (user: UserHost, id: string, presence = 'online') =>
  user.waitFor('contacts.changed', (contacts: Contact[]) => contacts.some((contact) => contact.id === id && contact.presence === presence));

let alice: UserHost;
let bob: UserHost;
let carol: UserHost;
/** Carol's second copy, which took over from her first in the test of that. */
let carolNow: UserHost;

beforeAll(async () => {
  server = await startServerProcess({ args: ['--invite-timeout', '2s'] });
  alice = await enrolledUser('alice', 'Alice');
  bob = await enrolledUser('bob', 'Bob');
  carol = await enrolledUser('carol', 'Carol');
  await Promise.all([sees(alice, 'bob'), sees(alice, 'carol'), sees(bob, 'alice'), sees(carol, 'bob')]);
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((user) => user.close()));
  await server.stop();
  removeDataDir(server.dataDir);
});

async function placeCall(caller: UserHost, callee: UserHost, calleeId: string): Promise<CallView> {
  caller.forget();
  callee.forget();
  const call = (await caller.call('call.start', { callId: newCallId(), userId: calleeId, media, fingerprint: FP('AA'), confirmKeyChange: false })) as CallView;
  await callee.waitForView((view) => view.callId === call.callId && view.state === 'incoming');
  return call;
}

const endedWith = (user: UserHost, callId: string) =>
  user.waitForView((view) => view.callId === callId && view.state === 'ended').then((view) => view.endReason);

describe('two hosts against a real server', () => {
  it('invite, ring, accept: both derive the same base keys and short code, and connect', async () => {
    const call = await placeCall(alice, bob, 'bob');
    await alice.waitForView((view) => view.callId === call.callId && view.state === 'ringing');
    expect(bob.notifications.at(-1)).toMatchObject({ kind: 'incoming-call', fromId: 'alice', video: true });

    await bob.call('call.accept', { callId: call.callId, media, fingerprint: FP('BB') });
    const [aliceKeys, bobKeys]: [CallKeys, CallKeys] = await Promise.all([alice.waitForKeys(call.callId), bob.waitForKeys(call.callId)]);
    expect(aliceKeys.sendKey).toBe(bobKeys.receiveKey);
    expect(aliceKeys.receiveKey).toBe(bobKeys.sendKey);
    expect(aliceKeys.sendKey).not.toBe(aliceKeys.receiveKey);
    expect(aliceKeys.initiator).toBe(true);
    expect(bobKeys.initiator).toBe(false);
    const [aliceView, bobView] = await Promise.all([
      alice.waitForView((view) => view.callId === call.callId && view.shortCode !== null),
      bob.waitForView((view) => view.callId === call.callId && view.shortCode !== null),
    ]);
    expect(aliceView.shortCode).toMatch(/^\d{12}$/);
    expect(aliceView.shortCode).toBe(bobView.shortCode);

    // Signalling flows through the server once keys exist.
    await alice.call('call.signal', { callId: call.callId, data: { type: 'offer', sdp: `v=0\r\na=fingerprint:${FP('AA')}\r\n` } });
    const signal = await bob.waitForSignal();
    expect(signal).toEqual({ callId: call.callId, data: { type: 'offer', sdp: `v=0\r\na=fingerprint:${FP('AA')}\r\n` } });

    const connected = (await alice.call('call.connected', { callId: call.callId, remoteSdp: `v=0\r\na=fingerprint:${FP('BB')}\r\n` })) as { fingerprintOk: boolean };
    expect(connected.fingerprintOk).toBe(true);
    await bob.call('call.connected', { callId: call.callId, remoteSdp: `v=0\r\na=fingerprint:${FP('AA')}\r\n` });

    await alice.call('call.hangup', { callId: call.callId });
    expect(await endedWith(bob, call.callId)).toBe('remote-hangup');
    const history = await alice.waitFor('history.changed', (view) => view.items.some((item) => item.callId === call.callId));
    expect(history.items[0]).toMatchObject({ callId: call.callId, outcome: 'completed', peerId: 'bob', direction: 'outgoing' });

    // The page names its calls, and the core holds it to a new, well-formed id every time.
    const again = { userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false };
    await expect(alice.call('call.start', { ...again, callId: call.callId })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(alice.call('call.start', { ...again, callId: 'short' })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(alice.call('call.start', { ...again, callId: `${'A'.repeat(21)}/` })).rejects.toMatchObject({ code: 'bad-request' });
    expect(await alice.call('call.current')).toBeNull();
  });

  it("a crashed renderer hangs its call up as connection lost, and the other side is told so at once", async () => {
    const call = await placeCall(alice, bob, 'bob');
    await bob.call('call.accept', { callId: call.callId, media, fingerprint: FP('BB') });
    await Promise.all([alice.waitForKeys(call.callId), bob.waitForKeys(call.callId)]);
    await alice.call('call.connected', { callId: call.callId, remoteSdp: `v=0\r\na=fingerprint:${FP('BB')}\r\n` });
    await bob.call('call.connected', { callId: call.callId, remoteSdp: `v=0\r\na=fingerprint:${FP('AA')}\r\n` });
    bob.host.rendererGone();
    expect(await endedWith(alice, call.callId)).toBe('connection-lost');
    expect(await bob.call('call.current')).toBeNull();
    // A ringing call is left alone: a reloaded renderer can still answer it.
    const ringing = await placeCall(alice, bob, 'bob');
    bob.host.rendererGone();
    expect(((await bob.call('call.current')) as CallView | null)?.state).toBe('incoming');
    await alice.call('call.hangup', { callId: ringing.callId });
    expect(await endedWith(bob, ringing.callId)).toBe('cancelled');
  });

  it('decline ends both sides as declined', async () => {
    const call = await placeCall(alice, bob, 'bob');
    await bob.call('call.decline', { callId: call.callId });
    expect(await endedWith(alice, call.callId)).toBe('declined');
  });

  it('a third caller gets busy while a call rings', async () => {
    const call = await placeCall(alice, bob, 'bob');
    carol.forget();
    const second = (await carol.call('call.start', { callId: newCallId(), userId: 'bob', media, fingerprint: FP('CC'), confirmKeyChange: false })) as CallView;
    expect(await endedWith(carol, second.callId)).toBe('busy');
    await alice.call('call.hangup', { callId: call.callId });
    expect(await endedWith(bob, call.callId)).toBe('cancelled');
    const history = await bob.waitFor('history.changed', (view) => view.items.some((item) => item.callId === call.callId));
    expect(history.unseenMissed).toBeGreaterThan(0);
    expect(bob.notifications.some((notification) => notification.kind === 'missed-call')).toBe(true);
  });

  it('an unanswered call times out on both sides', async () => {
    const call = await placeCall(carol, alice, 'alice');
    expect(await endedWith(carol, call.callId)).toBe('timeout');
    expect(await endedWith(alice, call.callId)).toMatch(/timeout|cancelled/);
  }, 15_000);

  it('a key changed by the server is flagged, and a call to that contact is gated until confirmed', async () => {
    // IT revokes Dave and enrolls him again: his new key reaches Alice through the directory.
    const dave = await enrolledUser('dave', 'Dave');
    await sees(alice, 'dave');
    await runCli(['revoke', 'dave', '--data-dir', server.dataDir]);
    await dave.close();
    const daveAgain = await enrolledUser('dave', 'Dave', ['--reinstate']);
    const flagged = await alice.waitFor('contacts.changed', (contacts) => contacts.some((c) => c.id === 'dave' && c.keyChanged && c.presence === 'online'));
    expect(flagged.find((c) => c.id === 'dave')).toMatchObject({ keyChanged: true, verified: false });

    const gated = alice.call('call.start', { callId: newCallId(), userId: 'dave', media, fingerprint: FP('AA'), confirmKeyChange: false });
    await expect(gated).rejects.toMatchObject({ code: 'key-changed' });
    daveAgain.forget();
    const call = (await alice.call('call.start', { callId: newCallId(), userId: 'dave', media, fingerprint: FP('AA'), confirmKeyChange: true })) as CallView;
    await daveAgain.waitForView((view) => view.callId === call.callId && view.state === 'incoming');
    await alice.call('call.hangup', { callId: call.callId });
  }, 30_000);

  it('gives both sides the same safety number, and verification survives a restart', async () => {
    const fromAlice = (await alice.call('contacts.safetyNumber', { userId: 'bob' })) as { digits: string; scannable: string };
    const fromBob = (await bob.call('contacts.safetyNumber', { userId: 'alice' })) as { digits: string; scannable: string };
    expect(fromAlice.digits).toMatch(/^\d{60}$/);
    expect(fromAlice.digits).toBe(fromBob.digits);
    expect(await alice.call('contacts.compareScanned', { userId: 'bob', scanned: fromBob.scannable })).toEqual({ match: true });
    // Each side's own half, as Settings shows it, is one half of the number they share.
    const aliceOwn = (await alice.call('identity.fingerprint')) as { userId: string; digits: string };
    const bobOwn = (await bob.call('identity.fingerprint')) as { userId: string; digits: string };
    expect(aliceOwn.userId).toBe('alice');
    expect([fromAlice.digits.slice(0, 30), fromAlice.digits.slice(30)].sort()).toEqual([aliceOwn.digits, bobOwn.digits].sort());

    expect(await alice.call('contacts.compareScanned', { userId: 'bob', scanned: fromAlice.scannable })).toEqual({ match: false });
    // Verifying names the number compared: none, or another one, is refused; the one shown is taken.
    await expect(alice.call('contacts.setVerified', { userId: 'bob', verified: true })).rejects.toMatchObject({ code: 'bad-request' });
    const otherDigits = fromAlice.digits.replace(/^./, (digit) => String((Number(digit) + 1) % 10));
    await expect(alice.call('contacts.setVerified', { userId: 'bob', verified: true, digits: otherDigits })).rejects.toMatchObject({ code: 'key-changed' });
    expect(await alice.call('contacts.setVerified', { userId: 'bob', verified: true, digits: fromAlice.digits })).toMatchObject({ verified: true });

    // A restart of Alice's app: the key is locked until she gives her passphrase.
    await alice.close(false);
    const again = new UserHost('alice', alice.dataDir);
    hosts[hosts.indexOf(alice)] = again;
    alice = again;
    expect(await alice.call('identity.status')).toMatchObject({ state: 'locked', userId: 'alice' });
    await expect(alice.call('contacts.list')).rejects.toMatchObject({ code: 'keystore-locked' });
    await expect(alice.call('identity.unlock', { passphrase: 'not the passphrase' })).rejects.toMatchObject({ code: 'wrong-passphrase' });
    expect(await alice.call('identity.unlock', { passphrase: PASSPHRASE })).toMatchObject({ state: 'ready' });
    const contacts = await alice.waitFor('contacts.changed', (list) => list.some((c) => c.id === 'bob' && c.presence === 'online'));
    expect(contacts.find((c) => c.id === 'bob')).toMatchObject({ verified: true, keyChanged: false });
  }, 30_000);

  it('a contacts file changed on disk while the app was closed: everyone is "verify again", gated, never silently trusted', async () => {
    await alice.close(false);
    const file = path.join(alice.dataDir, 'contacts.json');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { pins: { userId: string; verifiedAt: number | null }[] };
    // What an attacker with the disk would do: mark their own key as verified.
    for (const pin of raw.pins) pin.verifiedAt = 1;
    writeFileSync(file, JSON.stringify(raw));
    const again = new UserHost('alice', alice.dataDir);
    hosts[hosts.indexOf(alice)] = again;
    alice = again;
    expect(await alice.call('identity.unlock', { passphrase: PASSPHRASE })).toMatchObject({ state: 'ready' });
    const contacts = await alice.waitFor('contacts.changed', (list) => list.some((c) => c.id === 'bob' && c.presence === 'online'));
    for (const id of ['bob', 'carol']) {
      expect(contacts.find((c) => c.id === id)).toMatchObject({ verified: false, keyChanged: true, pinLost: true });
    }
    await expect(
      alice.call('call.start', { callId: newCallId(), userId: 'bob', media, fingerprint: FP('AA'), confirmKeyChange: false }),
    ).rejects.toMatchObject({ code: 'key-changed' });
    expect(readdirSync(alice.dataDir).some((name) => name.startsWith('contacts.json.tampered-'))).toBe(true);
    // Comparing again settles it (and leaves Alice as the later tests expect her).
    for (const userId of ['bob', 'carol']) {
      const { digits } = (await alice.call('contacts.safetyNumber', { userId })) as { digits: string };
      expect(await alice.call('contacts.setVerified', { userId, verified: true, digits })).toMatchObject({ verified: true, pinLost: false, keyChanged: false });
    }
  }, 30_000);

  it('ends a call to someone who is offline as unavailable', async () => {
    const erin = await enrolledUser('erin', 'Erin');
    await sees(alice, 'erin');
    // A new contact shows offline until its presence arrives: only what follows counts.
    alice.forget();
    await erin.close();
    await sees(alice, 'erin', 'offline');
    alice.forget();
    const call = (await alice.call('call.start', { callId: newCallId(), userId: 'erin', media, fingerprint: FP('AA'), confirmKeyChange: false })) as CallView;
    expect(await endedWith(alice, call.callId)).toBe('unavailable');
  });

  it('a second copy of the same user takes over, and the first stops instead of fighting back', async () => {
    const copyDir = mkdtempSync(path.join(tmpdir(), 'sealcall-host-carol-copy-'));
    cpSync(carol.dataDir, copyDir, { recursive: true });
    const copy = new UserHost('carol-copy', copyDir);
    hosts.push(copy);
    carolNow = copy;
    carol.forget();
    await copy.call('identity.unlock', { passphrase: PASSPHRASE });
    await copy.waitFor('connection.changed', (state) => state.state === 'online');
    const refused = await carol.waitFor('connection.changed', (state) => state.state === 'refused');
    expect(refused.reason).toMatch(/.+/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await copy.call('connection.status')).toMatchObject({ state: 'online', groupCallMax: 8 });
  });

  it('reconnects after the server process is killed and restarted, and presence comes back', async () => {
    const port = server.port;
    // A call that is up when the server dies goes on peer to peer, and the restarted server takes
    // it back from both sides' claims: signalling (an ICE restart's offer) works again.
    const ongoing = await placeCall(alice, bob, 'bob');
    await bob.call('call.accept', { callId: ongoing.callId, media, fingerprint: FP('BB') });
    await Promise.all([alice.waitForKeys(ongoing.callId), bob.waitForKeys(ongoing.callId)]);
    await alice.call('call.connected', { callId: ongoing.callId, remoteSdp: `v=0\r\na=fingerprint:${FP('BB')}\r\n` });
    await bob.call('call.connected', { callId: ongoing.callId, remoteSdp: `v=0\r\na=fingerprint:${FP('AA')}\r\n` });
    bob.forget();
    alice.forget();
    await server.stop('SIGKILL');
    await bob.waitFor('connection.changed', (state) => state.state === 'offline');
    await bob.waitFor('contacts.changed', (contacts) => contacts.every((c) => c.presence === 'offline'));
    server = await startServerProcess({ dataDir: server.dataDir, args: ['--port', String(port), '--invite-timeout', '2s'] });
    // "Retry now" skips whatever backoff wait is left.
    expect(['offline', 'connecting', 'online']).toContain(((await bob.call('connection.reconnect')) as { state: string }).state);
    await bob.waitFor('connection.changed', (state) => state.state === 'online', 10_000);
    await alice.waitFor('connection.changed', (state) => state.state === 'online', 10_000);
    expect(((await alice.call('call.current')) as CallView | null)?.state).toBe('connected');
    await alice.call('call.signal', { callId: ongoing.callId, data: { type: 'offer', sdp: `v=0\r\ns=restart\r\na=fingerprint:${FP('AA')}\r\n` } });
    expect(await bob.waitForSignal((data) => 'sdp' in data && data.sdp.includes('restart'), 10_000)).toEqual({ callId: ongoing.callId, data: { type: 'offer', sdp: `v=0\r\ns=restart\r\na=fingerprint:${FP('AA')}\r\n` } });
    // The server knows them as busy again: a third caller gets busy.
    await sees(carolNow, 'alice', 'busy');
    const third = (await carolNow.call('call.start', { callId: newCallId(), userId: 'alice', media, fingerprint: FP('CC'), confirmKeyChange: false })) as CallView;
    expect(await endedWith(carolNow, third.callId)).toBe('busy');
    await alice.call('call.hangup', { callId: ongoing.callId });
    expect(await endedWith(bob, ongoing.callId)).toBe('remote-hangup');
    await sees(bob, 'alice');
    // And calls work again.
    const call = await placeCall(bob, alice, 'alice');
    await bob.call('call.hangup', { callId: call.callId });
  }, 30_000);
});
