import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallView, Contact, IdentityStatus } from '../../shared/ipc';
import { newCallId } from '../../shared/protocol';
import { removeDataDir, runCli, startServerProcess, type ServerProcess } from '../../server/test-support/harness.fixture';
import { PASSPHRASE, UserHost } from './test-support/user-host.fixture';

/*
 * Presence by subscription (docs/protocol.md), from the app's side, against a real server process:
 * the core follows the contacts the screen shows, the verified ones and the call history's, and
 * nobody else; and the directory copy it keeps makes a restart ask only for what changed.
 */

const FP = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
const media = { audio: true, video: false };

let server: ServerProcess;
const hosts: UserHost[] = [];

async function enrolledUser(userId: string, name: string, options: { watchAll?: boolean; extra?: string[] } = {}): Promise<UserHost> {
  const invite = await runCli(['invite', userId, '--name', name, '--data-dir', server.dataDir, ...(options.extra ?? [])]);
  const link = /sealcall:\/\/enroll\?\S+/.exec(invite.stdout)?.[0];
  if (!link) throw new Error(`no link in: ${invite.stdout} ${invite.stderr}`);
  const user = new UserHost(userId, undefined, options.watchAll ?? true);
  hosts.push(user);
  const status = (await user.call('identity.enroll', { link, deviceName: `${name}'s laptop`, passphrase: PASSPHRASE })) as IdentityStatus;
  expect(status).toMatchObject({ state: 'ready', userId });
  await user.waitFor('connection.changed', (state) => state.state === 'online');
  return user;
}

const presenceIn = (contacts: Contact[], id: string) => contacts.find((contact) => contact.id === id)?.presence;
const sees = (user: UserHost, id: string, presence: string) =>
  user.waitFor('contacts.changed', (contacts) => presenceIn(contacts, id) === presence);
const listed = (user: UserHost, id: string) => user.waitFor('contacts.changed', (contacts) => contacts.some((contact) => contact.id === id));
const contactsOf = async (user: UserHost) => (await user.call('contacts.list')) as Contact[];

/** Alice's app shows no rows unless the test says which: her screen is what she follows. */
let alice: UserHost;
let bob: UserHost;
let carol: UserHost;

beforeAll(async () => {
  server = await startServerProcess({ args: ['--invite-timeout', '2s'] });
  alice = await enrolledUser('alice', 'Alice', { watchAll: false });
  bob = await enrolledUser('bob', 'Bob');
  carol = await enrolledUser('carol', 'Carol');
  await Promise.all([listed(alice, 'bob'), listed(alice, 'carol'), sees(bob, 'alice', 'online'), sees(carol, 'bob', 'online')]);
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((user) => user.close()));
  await server.stop();
  removeDataDir(server.dataDir);
});

describe('presence by subscription, against a real server', () => {
  it('shows the presence of the contacts on screen, and of nobody else', async () => {
    await alice.call('contacts.watch', { userIds: ['bob'] });
    await sees(alice, 'bob', 'online');
    // Carol has been online all along, but Alice's screen does not show her.
    expect(presenceIn(await contactsOf(alice), 'carol')).toBe('offline');

    // Bob's presence follows him: busy in a call, offline when he quits, online when he is back.
    const call = (await carol.call('call.start', { callId: newCallId(), userId: 'bob', media, fingerprint: FP('CC'), confirmKeyChange: false })) as CallView;
    await bob.waitForView((view) => view.callId === call.callId && view.state === 'incoming');
    await bob.call('call.accept', { callId: call.callId, media, fingerprint: FP('BB') });
    await sees(alice, 'bob', 'busy');
    await carol.call('call.hangup', { callId: call.callId });
    await sees(alice, 'bob', 'online');
    expect(presenceIn(await contactsOf(alice), 'carol'), 'Carol was busy too, unseen').toBe('offline');

    alice.forget();
    await bob.close(false);
    await sees(alice, 'bob', 'offline');
    const bobAgain = new UserHost('bob', bob.dataDir);
    hosts[hosts.indexOf(bob)] = bobAgain;
    bob = bobAgain;
    await bob.call('identity.unlock', { passphrase: PASSPHRASE });
    await sees(alice, 'bob', 'online');
  });

  it('a row scrolled away stops being followed, and shows offline (unknown) at once', async () => {
    await alice.call('contacts.watch', { userIds: ['bob'] });
    await sees(alice, 'bob', 'online');
    alice.forget();
    await alice.call('contacts.watch', { userIds: [] });
    await sees(alice, 'bob', 'offline');
  });

  it('follows the peer of the call under way, which the screen does not show then', async () => {
    alice.forget();
    const call = (await alice.call('call.start', { callId: newCallId(), userId: 'carol', media, fingerprint: FP('AA'), confirmKeyChange: false })) as CallView;
    await carol.waitForView((view) => view.callId === call.callId && view.state === 'incoming');
    await carol.call('call.accept', { callId: call.callId, media, fingerprint: FP('CC') });
    await sees(alice, 'carol', 'busy');
    await alice.call('call.hangup', { callId: call.callId });
    await sees(alice, 'carol', 'online');
  });

  it('follows verified contacts and the call history even off screen', async () => {
    alice.forget();
    const { digits } = (await alice.call('contacts.safetyNumber', { userId: 'bob' })) as { digits: string };
    await alice.call('contacts.setVerified', { userId: 'bob', verified: true, digits });
    await sees(alice, 'bob', 'online');

    const dave = await enrolledUser('dave', 'Dave');
    await listed(alice, 'dave');
    expect(presenceIn(await contactsOf(alice), 'dave')).toBe('offline');
    alice.forget();
    const call = (await alice.call('call.start', { callId: newCallId(), userId: 'dave', media, fingerprint: FP('AA'), confirmKeyChange: false })) as CallView;
    await dave.waitForView((view) => view.callId === call.callId && view.state === 'incoming');
    await dave.call('call.decline', { callId: call.callId });
    await alice.waitFor('history.changed', (view) => view.items.some((item) => item.peerId === 'dave'));
    await sees(alice, 'dave', 'online');
  });

  it('after the server restarts, the followed set is sent again and presence comes back', async () => {
    const port = server.port;
    alice.forget();
    await server.stop('SIGKILL');
    await alice.waitFor('contacts.changed', (contacts) => contacts.every((contact) => contact.presence === 'offline'));
    server = await startServerProcess({ dataDir: server.dataDir, args: ['--port', String(port), '--invite-timeout', '2s'] });
    await alice.call('connection.reconnect');
    await Promise.all([sees(alice, 'bob', 'online'), sees(alice, 'carol', 'online'), sees(alice, 'dave', 'online')]);
  }, 30_000);

  it('a restart starts from the stored copy, even offline, then catches up: a newcomer, a revocation, a re-key (gated)', async () => {
    await alice.close(false);
    const stored = JSON.parse(readFileSync(path.join(alice.dataDir, 'directory.json'), 'utf8')) as { directoryVersion: number; users: { id: string }[] };
    expect(stored.users.map((user) => user.id).sort()).toEqual(['bob', 'carol', 'dave']);

    // While Alice's app is closed: Erin joins, Bob leaves, Carol gets a new computer.
    await enrolledUser('erin', 'Erin');
    expect((await runCli(['revoke', 'bob', '--data-dir', server.dataDir])).code).toBe(0);
    expect((await runCli(['revoke', 'carol', '--data-dir', server.dataDir])).code).toBe(0);
    await carol.close();
    await enrolledUser('carol', 'Carol', { extra: ['--reinstate'] });

    // The server is down when Alice opens her app: her list comes from the copy alone.
    const port = server.port;
    await server.stop();
    const again = new UserHost('alice', alice.dataDir, false);
    hosts[hosts.indexOf(alice)] = again;
    alice = again;
    await alice.call('identity.unlock', { passphrase: PASSPHRASE });
    expect((await contactsOf(alice)).map((contact) => contact.id)).toEqual(['bob', 'carol', 'dave']);
    expect((await contactsOf(alice)).find((contact) => contact.id === 'bob')).toMatchObject({ keyChanged: false, verified: true });
    expect((await contactsOf(alice)).find((contact) => contact.id === 'carol')).toMatchObject({ keyChanged: false });

    server = await startServerProcess({ dataDir: server.dataDir, args: ['--port', String(port), '--invite-timeout', '2s'] });
    await alice.call('connection.reconnect');
    const after = await alice.waitFor('contacts.changed', (contacts) => contacts.some((contact) => contact.id === 'erin') && !contacts.some((contact) => contact.id === 'bob'));
    expect(after.map((contact) => contact.id)).toEqual(['carol', 'dave', 'erin']);
    expect(after.find((contact) => contact.id === 'carol')).toMatchObject({ keyChanged: true, verified: false });
    await expect(alice.call('call.start', { callId: newCallId(), userId: 'carol', media, fingerprint: FP('AA'), confirmKeyChange: false })).rejects.toMatchObject({ code: 'key-changed' });
    await alice.close(false);
    const rewritten = JSON.parse(readFileSync(path.join(alice.dataDir, 'directory.json'), 'utf8')) as { directoryVersion: number };
    expect(rewritten.directoryVersion).toBeGreaterThan(stored.directoryVersion);
  }, 60_000);
});
