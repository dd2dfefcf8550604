import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { CompanyUser } from './harness/company';
import { groupOfUsers } from './harness/group-company';
import { groupCounters, groupState } from './harness/group-driver';
import { answerRing, expectDecodingEachOther, expectMesh, expectNewEpoch, memberStats, startFromContactList } from './harness/group-ui';
import { expectAccessible, snapBothSchemes, WINDOW_SIZE } from './screens-support';

/*
 * The group call's controls, used as people use them, on a real server with real cores running
 * MLS and real WebRTC in Chromium (fake camera, microphone and screen):
 * - screen share: one member shares through Sealcall's picker and the others decode the share,
 *   encrypted; a second member is told no until the first stops;
 * - "Add people": the owner rings a fourth from the running call;
 * - Remove: the owner takes a member out, who is told so and leaves; the rest rekey.
 * Frames are checked where they are decoded (window.sealcallGroupDiagnostics), not on screen only.
 */

// Three or four browsers with cameras on a shared 2-core machine: set-up alone can take minutes.
test.describe.configure({ timeout: 900_000 });

/** Chromium's fake screen, captured at the app's share size; the fake camera is 720p at most. */
const SHARE_SIZE = { width: 1920, height: 1080 };

async function receivedFrom(page: Page, from: string): Promise<'screen' | 'camera' | 'none'> {
  const size = (await memberStats(page)).find((entry) => entry.userId === from)?.received ?? null;
  if (size === null || size.width === 0) return 'none';
  if (size.width === SHARE_SIZE.width && size.height === SHARE_SIZE.height) return 'screen';
  return size.width <= 1280 ? 'camera' : 'none';
}

/** Opens the picker from the call toolbar and shares the one (fake) screen. */
async function shareThroughPicker(page: Page): Promise<void> {
  await page.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Share screen' }).click();
  const picker = page.getByRole('dialog', { name: 'Share your screen' });
  await expect(picker).toBeVisible();
  await expect(picker).toContainText('Choose what everyone in the call will see');
  await expect(picker.getByRole('radio', { name: 'Entire screen' })).toBeChecked();
  await picker.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(picker).toBeHidden({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Stop sharing your screen' })).toHaveAttribute('aria-pressed', 'true');
}

/** Each viewer decodes `sharer`'s screen (by its size) and opens more of its video in the worker, with nothing failing. */
async function expectShareDecoded(sharer: CompanyUser, viewers: readonly CompanyUser[]): Promise<void> {
  const sent = (await groupCounters(sharer.page)).encrypted.video;
  for (const viewer of viewers) {
    await expect.poll(() => receivedFrom(viewer.page, sharer.userId), { message: `${viewer.userId} decodes ${sharer.userId}'s screen`, timeout: 120_000 }).toBe('screen');
    const [counters, stats] = await Promise.all([groupCounters(viewer.page), memberStats(viewer.page)]);
    const opened = counters.senders.find((entry) => entry.userId === sharer.userId);
    const decoded = stats.find((entry) => entry.userId === sharer.userId)?.framesDecoded ?? 0;
    await expect
      .poll(
        async () => {
          const [now, nowStats] = await Promise.all([groupCounters(viewer.page), memberStats(viewer.page)]);
          const sender = now.senders.find((entry) => entry.userId === sharer.userId);
          return {
            opened: (sender?.decrypted.video ?? 0) - (opened?.decrypted.video ?? 0) > 20,
            decoded: (nowStats.find((entry) => entry.userId === sharer.userId)?.framesDecoded ?? 0) - decoded > 20,
            failed: (sender?.failed.video ?? 0) - (opened?.failed.video ?? 0),
            stillScreen: await receivedFrom(viewer.page, sharer.userId),
          };
        },
        { message: `${viewer.userId} opens and decodes ${sharer.userId}'s share frames`, timeout: 120_000 },
      )
      .toEqual({ opened: true, decoded: true, failed: 0, stillScreen: 'screen' });
    const name = sharer.displayName;
    await expect(viewer.page.getByRole('list', { name: 'People in the call' }).getByLabel(`${name}'s screen`)).toBeVisible();
  }
  // The sharer's worker encrypted those frames: the share goes through the same SFrame transform as the camera.
  await expect.poll(async () => (await groupCounters(sharer.page)).encrypted.video - sent, { message: `${sharer.userId} encrypts share frames` }).toBeGreaterThan(20);
}

function expectNoPageProblems(users: readonly CompanyUser[]): void {
  for (const user of users) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
}

test('screen share: Bob shares and the others decode it, encrypted; Carol is told no until Bob stops, then shares', async ({ company }, testInfo) => {
  const users = await groupOfUsers(company, 3);
  const [alice, bob, carol] = users;
  if (alice === undefined || bob === undefined || carol === undefined) throw new Error('the company has fewer than three users');
  for (const user of users) await user.page.setViewportSize(WINDOW_SIZE);

  await startFromContactList(alice, [bob, carol]);
  for (const user of [bob, carol]) await answerRing(user, alice);
  await expectMesh(users);
  await expectDecodingEachOther(users, 'once the call is up');
  for (const viewer of [alice, carol]) await expect.poll(() => receivedFrom(viewer.page, bob.userId), { message: `${viewer.userId} decodes Bob's camera`, timeout: 60_000 }).toBe('camera');

  // Bob shares his screen through Sealcall's picker; Alice and Carol decode it.
  await shareThroughPicker(bob.page);
  await expectShareDecoded(bob, [alice, carol]);

  // Carol asks to share too: she is told who is sharing, and no picker opens.
  const carolsShare = carol.page.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Share screen' });
  await carolsShare.click();
  const refusal = carol.page.getByRole('alert').filter({ hasText: 'Bob is sharing their screen. Only one person can share at a time' });
  await expect(refusal).toBeVisible();
  await expect(carol.page.getByRole('dialog', { name: 'Share your screen' })).toHaveCount(0);
  await expect(carolsShare).toHaveAttribute('aria-pressed', 'false');
  expect(await receivedFrom(alice.page, carol.userId), "Alice still gets Carol's camera").toBe('camera');

  await expectAccessible(alice.page, 'the group call with a screen share on');
  await expectAccessible(carol.page, 'the group call telling Carol that Bob shares');
  await snapBothSchemes(alice.page, testInfo, 'group-share-viewer');

  // Bob stops: everyone gets his camera again, the refusal goes, and Carol can share.
  await bob.page.getByRole('button', { name: 'Stop sharing your screen' }).click();
  await expect(bob.page.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Share screen' })).toHaveAttribute('aria-pressed', 'false');
  for (const viewer of [alice, carol]) {
    await expect.poll(() => receivedFrom(viewer.page, bob.userId), { message: `${viewer.userId} decodes Bob's camera again`, timeout: 120_000 }).toBe('camera');
  }
  await expect(refusal).toBeHidden({ timeout: 60_000 });
  await shareThroughPicker(carol.page);
  await expectShareDecoded(carol, [alice, bob]);

  await carol.page.getByRole('button', { name: 'Stop sharing your screen' }).click();
  await expect.poll(() => receivedFrom(alice.page, carol.userId), { message: "Alice decodes Carol's camera again", timeout: 120_000 }).toBe('camera');
  expectNoPageProblems(users);
});

test('the owner adds Dave from the running call, then removes Carol: each change is a new epoch and code, and the removed member is out', async ({ company }) => {
  const users = await groupOfUsers(company, 4);
  const [alice, bob, carol, dave] = users;
  if (alice === undefined || bob === undefined || carol === undefined || dave === undefined) throw new Error('the company has fewer than four users');
  for (const user of users) await user.page.setViewportSize(WINDOW_SIZE);
  const three = [alice, bob, carol];

  await startFromContactList(alice, [bob, carol]);
  for (const user of [bob, carol]) await answerRing(user, alice);
  await expectMesh(three);
  const before = await expectNewEpoch(three, -1);
  await expectDecodingEachOther(three, 'before Dave is added');

  // Only the owner has "Add people"; she picks Dave in it.
  await expect(bob.page.getByRole('button', { name: 'Add people' })).toHaveCount(0);
  await alice.page.getByRole('button', { name: 'Add people' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Add people' });
  await expect(dialog.getByRole('checkbox')).toHaveCount(1);
  await dialog.getByRole('checkbox', { name: 'Dave Dunn' }).check();
  await dialog.getByRole('button', { name: 'Add 1' }).click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });

  // Dave is rung by Alice, accepts, and the four decode each other under a new epoch and code.
  await answerRing(dave, alice);
  // A notice shows for about 5 s, then fades out of the page (and of the accessibility tree): read
  // each as it comes, before the slower checks.
  await Promise.all(three.map((user) => expect(user.page.getByRole('status').filter({ hasText: 'Dave joined' })).toBeVisible({ timeout: 60_000 })));
  await expectMesh(users);
  const withDave = await expectNewEpoch(users, before.epoch);
  expect(withDave.code).not.toBe(before.code);
  await expectDecodingEachOther(users, 'with Dave in');

  // Only the owner can remove; she removes Carol from the participant list, after confirming.
  await expect(bob.page.getByRole('button', { name: /^Remove / })).toHaveCount(0);
  await alice.page.getByRole('button', { name: 'Remove Carol Chen from the call' }).click();
  const confirm = alice.page.getByRole('dialog', { name: 'Remove Carol from the call?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(confirm).toBeHidden();
  await Promise.all([
    expect(alice.page.getByRole('status').filter({ hasText: 'Carol was removed from the call' })).toBeVisible({ timeout: 60_000 }),
    expect(bob.page.getByRole('status').filter({ hasText: 'Carol left' })).toBeVisible({ timeout: 60_000 }),
  ]);

  // Carol is told, and her app is out of the call: camera and microphone stopped, keys wiped, no call screen.
  await expect(carol.page.getByRole('alert').filter({ hasText: 'You were removed from the group call.' })).toBeVisible({ timeout: 120_000 });
  await expect
    .poll(async () => (await groupState(carol.page)).localTracks.map((track) => track.readyState), { message: "Carol's camera and microphone stop", timeout: 60_000 })
    .toEqual(['ended', 'ended']);
  await expect.poll(async () => (await groupCounters(carol.page)).keysWiped, { message: "Carol's keys are wiped", timeout: 60_000 }).toBe(true);
  expect((await groupState(carol.page)).view).toEqual(expect.objectContaining({ state: 'ended', endReason: 'removed' }));
  await expect(carol.page.getByRole('toolbar', { name: 'Call controls' })).toHaveCount(0);

  // The rest rekey without her and go on decoding each other.
  const rest = [alice, bob, dave];
  await expectMesh(rest);
  const withoutCarol = await expectNewEpoch(rest, withDave.epoch);
  expect(withoutCarol.code).not.toBe(withDave.code);
  await expectDecodingEachOther(rest, 'after Carol was removed');
  expectNoPageProblems(users);
});
