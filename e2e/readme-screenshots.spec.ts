import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';
import { connectCall, hangUp, mediaStats } from './harness/call-driver';
import { groupOfUsers } from './harness/group-company';
import { leaveGroup } from './harness/group-driver';
import { answerRing, expectDecodingEachOther, expectMesh, expectNewEpoch, startFromContactList } from './harness/group-ui';
import { warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * The pictures in the README, taken from real calls on a real server: Alice's contact list, Alice
 * in a call with Bob while his (fake) camera decodes, and Alice's group call of four. With
 * SEALCALL_README_SHOTS=1 a run also copies them into docs/screenshots (the group one in the
 * chromium-groups project, where four pages have the machine to themselves); a plain run only
 * checks that the pair pictures can be taken.
 */

test.beforeAll(warmHarness);

const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

async function keep(file: string, name: string): Promise<void> {
  if (process.env['SEALCALL_README_SHOTS'] !== '1') return;
  await mkdir(docsDir, { recursive: true });
  await copyFile(file, path.join(docsDir, name));
}

test('the README pictures: the contact list, and a call in progress', async ({ company }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'the pictures come from the harness');
  // Enrolled here rather than by the twoUsers fixture, which would enroll them before the skip in the other projects.
  const alice = await company.enrolledUser('alice', 'Alice Archer');
  const bob = await company.enrolledUser('bob', 'Bob Baker');
  await company.seeEachOther(alice, bob);
  const carol = await company.enrolledUser('carol', 'Carol Chen');
  const dan = await company.enrolledUser('dan', 'Dan Dorsey');
  await company.seeEachOther(alice, carol, dan);
  await dan.close();
  await alice.page.setViewportSize(WINDOW_SIZE);
  await alice.page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });

  await expect(alice.page.getByRole('button', { name: 'Call Carol Chen' })).toBeEnabled();
  await alice.page.getByText('Bob Baker', { exact: true }).first().click();
  await expect(alice.page.getByRole('heading', { name: 'Bob Baker' })).toBeVisible();
  const contacts = testInfo.outputPath('contact-list.png');
  await alice.page.screenshot({ path: contacts, animations: 'disabled' });
  await testInfo.attach('contact list', { path: contacts, contentType: 'image/png' });

  await connectCall(alice.page, bob.page, bob.userId);
  await expect.poll(async () => (await mediaStats(alice.page)).framesDecoded, { timeout: 15_000 }).toBeGreaterThan(30);
  const remote = alice.page.locator('video.call-remote-video');
  await expect(remote).toBeVisible();
  await expect.poll(() => remote.evaluate((video: HTMLVideoElement) => video.videoWidth)).toBeGreaterThan(0);
  await expect(alice.page.getByText(/^\d+:\d{2}$/)).toBeVisible();
  const call = testInfo.outputPath('call.png');
  await alice.page.screenshot({ path: call, animations: 'disabled' });
  await testInfo.attach('call', { path: call, contentType: 'image/png' });

  await keep(contacts, 'contact-list.png');
  await keep(call, 'call.png');
  await hangUp(alice.page);
});

test('the README picture of a group call: four people, names on the tiles, the speaker, the participant list and the code', async ({ company }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium-groups', 'four pages with cameras run in the group project');
  // The same four-person call as e2e/group-call.spec.ts, which proves it on every run: this one is
  // only for taking the picture, two minutes that the suite does not spend otherwise.
  test.skip(process.env['SEALCALL_README_SHOTS'] !== '1', 'the group picture is taken with SEALCALL_README_SHOTS=1');
  // Four pages encoding their cameras three times each on a shared 2-core machine.
  test.setTimeout(600_000);
  const users = await groupOfUsers(company, 4);
  const [alice, ...others] = users;
  if (alice === undefined) throw new Error('the company has no users');
  for (const user of users) await user.page.setViewportSize(WINDOW_SIZE);
  await alice.page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });

  await startFromContactList(alice, others);
  for (const user of others) await answerRing(user, alice);
  await expectMesh(users);
  await expectNewEpoch(users, -1);
  await expectDecodingEachOther(users, 'for the picture');

  // Every tile shows its member's picture, somebody is the active speaker, and the timer runs.
  const tiles = alice.page.getByRole('list', { name: 'People in the call' });
  for (const user of others) {
    const video = tiles.getByLabel(`${user.displayName}'s video`);
    await expect(video).toBeVisible({ timeout: 60_000 });
    await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.videoWidth), { timeout: 60_000 }).toBeGreaterThan(0);
  }
  await expect(alice.page.locator('.group-tile-speaking')).toHaveCount(1, { timeout: 60_000 });
  await expect(alice.page.getByText(/^\d+:\d{2} · 4 people$/)).toBeVisible();
  const group = testInfo.outputPath('group-call.png');
  await alice.page.screenshot({ path: group, animations: 'disabled' });
  await testInfo.attach('group call', { path: group, contentType: 'image/png' });
  await keep(group, 'group-call.png');

  for (const user of users) await leaveGroup(user.page);
});
