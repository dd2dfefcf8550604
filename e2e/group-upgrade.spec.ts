import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { CompanyUser } from './harness/company';
import { acceptCall, mediaStats, placeCall, playRemoteAudio, snapshot } from './harness/call-driver';
import { groupCounters, groupState } from './harness/group-driver';
import { groupOfUsers } from './harness/group-company';
import type { GroupMemberStats } from '../renderer/call/group/group-diagnostics';

/*
 * "Add people" in a running 1:1 call (docs/group-calls.md, "Adding people to a 1:1 call"): Alice
 * calls Bob, adds Carol from the call screen, and the call goes on as a group call. Bob is never
 * rung (his app checks the upgrade against the call it is in and joins); Carol is rung and accepts.
 * Real server, real cores, real WebRTC with fake camera and microphone in three Chromiums.
 */

// Three browsers with cameras on a shared 2-core machine: set-up alone can take minutes under load.
test.describe.configure({ timeout: 600_000 });

async function groupStats(page: Page): Promise<GroupMemberStats[]> {
  return page.evaluate(async () => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    return diagnostics.stats();
  });
}

/** Each other member's frames, as this page's worker opened them and its receivers decoded them. */
async function decodesEveryone(user: CompanyUser, others: readonly CompanyUser[]): Promise<string[]> {
  const [counters, stats] = await Promise.all([groupCounters(user.page), groupStats(user.page)]);
  return others
    .filter((other) => {
      const sender = counters.senders.find((entry) => entry.userId === other.userId);
      const pair = stats.find((entry) => entry.userId === other.userId);
      return !(sender !== undefined && sender.decrypted.audio > 0 && sender.decrypted.video > 0 && pair !== undefined && pair.framesDecoded > 0 && pair.totalSamplesReceived > 0);
    })
    .map((other) => other.userId);
}

async function codeOnScreen(page: Page): Promise<string> {
  const groups = await page.locator('ol[aria-label="Group security code"] li').allTextContents();
  return groups.join(' ');
}

/** Counts, from now on, every group ring dialog that appears on the page (none may, for Bob). */
async function watchForGroupRings(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen = window as unknown as { groupRingsSeen: number };
    seen.groupRingsSeen = 0;
    const check = () => {
      for (const dialog of document.querySelectorAll('[role="alertdialog"]')) if (dialog.textContent.includes('group')) seen.groupRingsSeen += 1;
    };
    new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
  });
}

const groupRingsSeen = (page: Page) => page.evaluate(() => (window as unknown as { groupRingsSeen: number }).groupRingsSeen);

test('alice adds carol to her call with bob: bob joins unrung, carol accepts, all three decode each other under one code', async ({ company }) => {
  const [alice, bob, carol] = await groupOfUsers(company, 3);
  if (alice === undefined || bob === undefined || carol === undefined) throw new Error('the company has fewer than three users');

  // The 1:1 call, both decoding.
  await placeCall(alice.page, 'bob', { audio: true, video: true });
  await expect.poll(async () => (await snapshot(bob.page)).call?.state, { message: 'bob is rung', timeout: 60_000 }).toBe('incoming');
  await acceptCall(bob.page, { audio: true, video: true });
  for (const user of [alice, bob]) {
    await expect
      .poll(
        async () => {
          const call = (await snapshot(user.page)).call;
          return call?.state === 'ended' ? `ended: ${String(call.endReason)}` : call?.state;
        },
        { message: `${user.userId} connects`, timeout: 120_000 },
      )
      .toBe('connected');
  }
  await Promise.all([playRemoteAudio(alice.page), playRemoteAudio(bob.page)]);
  for (const user of [alice, bob]) await expect.poll(async () => (await mediaStats(user.page)).framesDecoded, { message: `${user.userId} decodes the 1:1 call`, timeout: 120_000 }).toBeGreaterThan(0);
  const oneToOne = (await snapshot(alice.page)).call?.callId;

  // Alice adds Carol from the call screen.
  await watchForGroupRings(bob.page);
  await alice.page.getByRole('button', { name: 'Add people' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Add people' });
  await dialog.getByRole('checkbox', { name: carol.displayName }).check();
  await dialog.getByRole('button', { name: 'Add 1' }).click();

  // Carol is rung, by Alice, and accepts.
  const ring = carol.page.getByRole('alertdialog');
  await expect(ring.getByRole('heading', { name: alice.displayName })).toBeVisible({ timeout: 120_000 });
  await ring.getByRole('button', { name: 'Accept with video' }).click();

  const users = [alice, bob, carol];
  for (const user of users) {
    await expect
      .poll(
        async () => {
          const state = await groupState(user.page);
          return {
            state: state.view?.state,
            inGroup: state.view?.members.filter((member) => member.index !== null).length ?? 0,
            peers: state.peers.map((peer) => `${peer.userId} ${peer.connected ? 'connected' : 'not connected'}`).sort(),
          };
        },
        { message: `${user.userId} is connected to the two others`, timeout: 240_000 },
      )
      .toEqual({ state: 'active', inGroup: 3, peers: users.filter((other) => other !== user).map((other) => `${other.userId} connected`) });
  }
  for (const user of users) {
    await expect.poll(() => decodesEveryone(user, users.filter((other) => other !== user)), { message: `${user.userId} decodes the two others`, timeout: 180_000 }).toEqual([]);
  }

  // One group code on all three pages and screens; the group continues the 1:1 call.
  const views = await Promise.all(users.map(async (user) => (await groupState(user.page)).view));
  const code = views[0]?.securityCode;
  expect(code).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
  expect(views.map((view) => view?.securityCode)).toEqual([code, code, code]);
  for (const user of users) await expect.poll(() => codeOnScreen(user.page), { message: `${user.userId}'s screen shows the code`, timeout: 30_000 }).toBe(code);
  expect(views.map((view) => view?.upgradeOf ?? null)).toEqual([oneToOne, oneToOne, null]);

  // Bob was never rung, and the 1:1 call is gone from both cores.
  expect(await groupRingsSeen(bob.page)).toBe(0);
  for (const user of [alice, bob]) {
    expect(await user.host.invoke('call.current', undefined)).toEqual({ ok: true, value: null });
    expect((await snapshot(user.page)).call).toMatchObject({ callId: oneToOne, state: 'ended', endReason: 'upgraded' });
  }

  for (const user of users) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
});
