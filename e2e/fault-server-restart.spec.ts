import type { ConnectionState, Contact } from '../shared/ipc';
import { expect, test } from './fixtures';
import { unwrap } from './harness/company';
import { connectCall, expectDecoding, counters, hangUp, mediaStats, snapshot, waitForCallState } from './harness/call-driver';
import type { HarnessUser } from './harness/harness-user';

/*
 * Fault: the company server is killed (SIGKILL, no goodbye) in the middle of a call. The media is
 * peer to peer and must not notice; both apps must be back on the restarted server promptly, with
 * the call claimed again (presence busy), and the next call must work.
 */

test.describe.configure({ timeout: 90_000 });

const connection = async (user: HarnessUser) => unwrap<ConnectionState>(await user.host.invoke('connection.status', undefined)).state;
const presenceOf = async (user: HarnessUser, id: string) =>
  unwrap<Contact[]>(await user.host.invoke('contacts.list', undefined)).find((contact) => contact.id === id)?.presence;

test('the server dies mid-call: media keeps flowing, both reconnect within 3 s of its return, and a new call works', async ({ twoUsers, company }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'the harness owns the server process');
  const { alice, bob } = twoUsers;
  await connectCall(alice.page, bob.page, bob.userId);
  await expectDecoding([alice.page, bob.page]);

  await company.server.stop('SIGKILL');
  await expect.poll(() => connection(alice)).toBe('offline');
  await expect.poll(() => connection(bob)).toBe('offline');
  const down = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  // Down for longer than the first few retries, so the backoff has grown.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const stillDown = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  for (const [index, name] of ['alice', 'bob'].entries()) {
    const [start, end] = [down[index], stillDown[index]];
    if (start === undefined || end === undefined) throw new Error('missing stats');
    console.log(`${name}: +${end.framesDecoded - start.framesDecoded} video frames decoded while the server was down`);
    expect(end.framesDecoded - start.framesDecoded, `${name}'s video while the server is down`).toBeGreaterThan(30);
    expect((await snapshot(index === 0 ? alice.page : bob.page)).call?.state).toBe('connected');
  }

  await company.restartServer();
  const back = Date.now();
  await expect.poll(() => connection(alice), { timeout: 3_000 }).toBe('online');
  await expect.poll(() => connection(bob), { timeout: 3_000 }).toBe('online');
  console.log(`both online ${Date.now() - back} ms after the server was back`);
  // The restarted server took the call back from both sides' claims: they show as busy.
  await expect.poll(() => presenceOf(alice, bob.userId)).toBe('busy');
  await expect.poll(() => presenceOf(bob, alice.userId)).toBe('busy');
  const later = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  await expect.poll(async () => (await mediaStats(alice.page)).framesDecoded).toBeGreaterThan(later[0].framesDecoded);
  await expect.poll(async () => (await mediaStats(bob.page)).framesDecoded).toBeGreaterThan(later[1].framesDecoded);
  for (const page of [alice.page, bob.page]) expect((await counters(page)).failed).toEqual({ audio: 0, video: 0 });

  // The hang-up reaches Bob through the restarted server, then both are free for a new call.
  await hangUp(alice.page);
  await Promise.all([waitForCallState(alice.page, 'ended'), waitForCallState(bob.page, 'ended')]);
  expect((await snapshot(bob.page)).call?.endReason).toBe('remote-hangup');
  await expect.poll(() => presenceOf(alice, bob.userId)).toBe('online');
  await connectCall(bob.page, alice.page, alice.userId);
  await expectDecoding([alice.page, bob.page]);
  await hangUp(bob.page);
});
