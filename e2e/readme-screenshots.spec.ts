import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';
import { connectCall, hangUp, mediaStats } from './harness/call-driver';
import { warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * The two pictures in the README, taken from a real call on a real server: Alice's contact list,
 * and Alice in a call with Bob while his (fake) camera decodes. `SEALCALL_README_SHOTS=1 npx
 * playwright test e2e/readme-screenshots.spec.ts --project=chromium` also copies them into
 * docs/screenshots; a plain run only checks that they can be taken.
 */

test.beforeAll(warmHarness);

const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

async function keep(file: string, name: string): Promise<void> {
  if (process.env['SEALCALL_README_SHOTS'] !== '1') return;
  await mkdir(docsDir, { recursive: true });
  await copyFile(file, path.join(docsDir, name));
}

test('the README pictures: the contact list, and a call in progress', async ({ twoUsers, company }, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'the pictures come from the harness');
  const { alice, bob } = twoUsers;
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
