import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './fixtures';
import { TEST_PASSPHRASE } from './harness/company';
import { expectAccessible, markVerifiedFromList, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * The contacts file (pinned keys, verified marks) changed on disk while the app was closed, as an
 * attacker with the laptop's disk would change it to vouch for their own key. The real file, a
 * real restart: the app must say loudly that the verifications are lost, and gate the next call.
 */

test.beforeAll(warmHarness);

test('a contacts file changed outside Sealcall: a loud banner, "Verify again", the call gate, and verifying again clears it', async ({ twoUsers }, testInfo) => {
  const { alice, company } = twoUsers;
  await markVerifiedFromList(alice.page, 'Bob Baker');

  const { dataDir } = alice;
  await alice.context.close();
  await alice.host.close();
  const file = path.join(dataDir, 'contacts.json');
  const raw = JSON.parse(await readFile(file, 'utf8')) as { pins: { verifiedAt: number | null }[] };
  for (const pin of raw.pins) pin.verifiedAt = 1;
  await writeFile(file, JSON.stringify(raw));

  const restarted = await company.openApp({ dataDir });
  const { page } = restarted;
  await page.setViewportSize(WINDOW_SIZE);
  await page.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  const banner = page.getByRole('alert').filter({ hasText: 'verifications were lost' });
  await expect(banner).toContainText('One contact needs verifying again');
  const bobRow = page.getByRole('list', { name: 'Contacts' }).getByRole('listitem').filter({ hasText: 'Bob Baker' });
  await expect(bobRow).toContainText('Verify again');
  await expect(bobRow).not.toContainText('Verified');
  await snapBothSchemes(page, testInfo, 'contacts-lost');
  await expectAccessible(page, 'the main screen after the contacts file was lost');

  // The next call meets the key-change gate, as for a changed key.
  await page.getByRole('button', { name: /^Bob Baker/ }).click();
  await expect(page.getByText("Sealcall lost its record of Bob's key")).toBeVisible();
  await page.getByRole('button', { name: 'Audio call', exact: true }).click();
  const gate = page.getByRole('dialog', { name: "Bob Baker's safety number changed" });
  await expect(gate).toBeVisible();
  await gate.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Review new safety number' }).click();
  await page.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(bobRow).toContainText('Verified');
  await expect(banner).toBeHidden();
  expect(restarted.problems()).toEqual([]);
});
