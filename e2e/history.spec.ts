import type { HistoryView } from '../shared/ipc';
import { expect, test } from './fixtures';
import { counters, hangUp, mediaStats, placeCall, playRemoteAudio, waitForCallState } from './harness/call-driver';
import { unwrap, type CompanyUser } from './harness/company';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * Call history as a user meets it: the missed-call badge on the Calls tab, the list, and "Call back",
 * which must place a real encrypted call through the same flow as the contact list.
 */

test.beforeAll(warmHarness);

async function history(user: CompanyUser): Promise<HistoryView> {
  return unwrap<HistoryView>(await user.host.invoke('history.list', undefined));
}

test('a missed call shows on the Calls tab with a badge; opening Calls clears it; Call back connects', async ({ twoUsers }, testInfo) => {
  const { alice, bob } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);
  await bob.page.setViewportSize(WINDOW_SIZE);
  const nav = bob.page.getByRole('navigation', { name: 'Sealcall' });
  await expect(nav.getByRole('button', { name: 'Contacts' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('img', { name: /missed call/ })).toHaveCount(0);

  // Alice rings Bob and gives up before he answers.
  await placeCall(alice.page, bob.userId, { audio: true, video: false });
  await waitForCallState(bob.page, 'incoming');
  await hangUp(alice.page);
  await waitForCallState(bob.page, 'ended');

  const badge = nav.getByRole('img', { name: '1 missed call' });
  await expect(badge).toBeVisible();
  await expect(badge).toHaveText('1');
  const callsTab = nav.getByRole('button', { name: 'Calls 1 missed call' });
  await expect(callsTab).toBeVisible();
  expect((await history(bob)).unseenMissed).toBe(1);
  await snapBothSchemes(bob.page, testInfo, 'nav-missed-badge');
  await expectAccessible(bob.page, 'the main screen with its navigation and badge');

  // From the keyboard: Tab reaches the rail, Enter opens Calls.
  await callsTab.focus();
  await bob.page.keyboard.press('Enter');
  await expect(nav.getByRole('button', { name: 'Calls' })).toHaveAttribute('aria-current', 'page');
  const list = bob.page.getByRole('list', { name: 'Call history' });
  const row = list.getByRole('listitem').filter({ hasText: 'Alice Archer' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Missed');
  await expect(row.locator('time')).toHaveText(/\d{1,2}[:.]\d\d/);
  await expect(badge).toBeHidden();
  await expect.poll(async () => (await history(bob)).unseenMissed).toBe(0);
  await snapBothSchemes(bob.page, testInfo, 'history');
  await expectAccessible(bob.page, 'the call history');

  // Alice's own history reads the same call from her side.
  const aliceItems = (await history(alice)).items;
  expect(aliceItems).toEqual([expect.objectContaining({ peerId: 'bob', direction: 'outgoing', outcome: 'cancelled' })]);

  // One click calls back: an audio call that rings Alice and connects, encrypted both ways.
  await row.getByRole('button', { name: 'Call back Alice Archer' }).click();
  const ringing = alice.page.getByRole('alertdialog', { name: 'Bob Baker' });
  await expect(ringing).toContainText('Incoming audio call', { timeout: 10_000 });
  await ringing.getByRole('button', { name: 'Accept audio only' }).click();
  await Promise.all([waitForCallState(alice.page, 'connected'), waitForCallState(bob.page, 'connected')]);
  await Promise.all([playRemoteAudio(alice.page), playRemoteAudio(bob.page)]);
  for (const [name, page] of [['alice', alice.page], ['bob', bob.page]] as const) {
    await expect.poll(async () => (await counters(page)).decrypted.audio, { message: `${name} decrypts audio`, timeout: 15_000 }).toBeGreaterThan(50);
    await expect.poll(async () => (await mediaStats(page)).totalSamplesReceived, { message: `${name} plays audio`, timeout: 15_000 }).toBeGreaterThan(0);
    const report = await counters(page);
    console.log(`${name} after call back: ${JSON.stringify({ encrypted: report.encrypted, decrypted: report.decrypted, failed: report.failed })}`);
    expect(report.failed, `${name}'s failures`).toEqual({ audio: 0, video: 0 });
    expect(report.encrypted.video, `${name} sent no video: call back is an audio call`).toBe(0);
  }

  await bob.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(alice.page.getByText('Call ended')).toBeVisible();
  // The completed call joins the list on top, with its duration.
  await bob.page.getByRole('button', { name: 'Back to contacts' }).click();
  await expect(list.getByRole('listitem').first()).toContainText('Outgoing');
  await expect(list.getByRole('listitem').first()).toContainText(/\d+ s|\d+ min/);
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('an empty call history says so', async ({ twoUsers }, testInfo) => {
  const { bob } = twoUsers;
  await bob.page.setViewportSize(WINDOW_SIZE);
  await bob.page.getByRole('navigation', { name: 'Sealcall' }).getByRole('button', { name: 'Calls' }).click();
  await expect(bob.page.getByText('No calls yet')).toBeVisible();
  await expect(bob.page.getByRole('list', { name: 'Call history' })).toHaveCount(0);
  await snapBothSchemes(bob.page, testInfo, 'history-empty');
  await expectAccessible(bob.page, 'the empty call history');
  expect(bob.problems()).toEqual([]);
});
