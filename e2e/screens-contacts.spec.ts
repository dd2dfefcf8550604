import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { TEST_PASSPHRASE } from './harness/company';
import { expectAccessible, markVerifiedFromList, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

test.beforeAll(warmHarness);

/** The 60 digits as the safety-number screen shows them, read group by group. */
async function shownSafetyNumber(page: Page, contactName: string): Promise<string> {
  const groups = page.getByRole('list', { name: `Safety number with ${contactName}` }).getByRole('listitem');
  await expect(groups).toHaveCount(12);
  const texts = await groups.allInnerTexts();
  for (const text of texts) expect(text).toMatch(/^\d{5}$/);
  return texts.join('');
}

test('the contact list shows who is online, and search filters by name or id', async ({ twoUsers }, testInfo) => {
  const { alice, company } = twoUsers;
  const carol = await company.enrolledUser('carol.chen', 'Carol Chen');
  await company.seeEachOther(alice, carol);
  const { page } = alice;
  await page.setViewportSize(WINDOW_SIZE);

  const contacts = page.getByRole('list', { name: 'Contacts' }).getByRole('listitem');
  await expect(contacts).toHaveCount(2);
  await expect(contacts.filter({ hasText: 'Bob Baker' })).toContainText('Online');
  await expect(contacts.filter({ hasText: 'Carol Chen' })).toContainText('Online');
  await expect(page.getByRole('button', { name: 'Call Bob Baker' })).toBeEnabled();
  await expect(page.getByRole('status', { name: 'Connection: Online' })).toBeVisible();
  await snapBothSchemes(page, testInfo, 'contact-list');
  await expectAccessible(page, 'the contact list');

  const search = page.getByRole('searchbox', { name: 'Search contacts' });
  await search.fill('carol');
  await expect(contacts).toHaveCount(1);
  await expect(contacts).toContainText('Carol Chen');
  // By id, too, and blind to case.
  await search.fill('BOB');
  await expect(contacts).toHaveCount(1);
  await expect(contacts).toContainText('Bob Baker');
  await search.fill('chen carol');
  await expect(contacts).toHaveCount(1);
  await search.fill('nobody');
  await expect(contacts).toHaveCount(0);
  await expect(page.getByText('No one matches “nobody”')).toBeVisible();
  await search.fill('');
  await expect(contacts).toHaveCount(2);

  // Carol goes offline: her row says so without a reload.
  await carol.close();
  await expect(contacts.filter({ hasText: 'Carol Chen' })).toContainText('Offline');

  await page.getByRole('button', { name: /^Bob Baker/ }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Bob Baker' })).toBeVisible();
  await expect(page.getByText('Not verified yet')).toBeVisible();
  await snapBothSchemes(page, testInfo, 'contact-detail');
  expect(alice.problems()).toEqual([]);
});

test('both sides see the same safety number, and marking verified shows the badge', async ({ twoUsers }, testInfo) => {
  const { alice, bob } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);

  await alice.page.getByRole('button', { name: /^Bob Baker/ }).click();
  await alice.page.getByRole('button', { name: 'View safety number' }).click();
  await expect(alice.page.getByRole('heading', { name: 'Safety number with Bob Baker' })).toBeVisible();
  const seenByAlice = await shownSafetyNumber(alice.page, 'Bob Baker');

  await bob.page.getByRole('button', { name: /^Alice Archer/ }).click();
  await bob.page.getByRole('button', { name: 'View safety number' }).click();
  const seenByBob = await shownSafetyNumber(bob.page, 'Alice Archer');

  expect(seenByAlice).toMatch(/^\d{60}$/);
  expect(seenByBob).toBe(seenByAlice);
  await expect(alice.page.getByRole('img', { name: 'QR code of the safety number with Bob Baker' })).toBeVisible();
  await snapBothSchemes(alice.page, testInfo, 'safety-number');
  await expectAccessible(alice.page, 'the safety-number screen');

  await alice.page.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(alice.page.getByText('You have verified Bob.')).toBeVisible();
  const bobRow = alice.page.getByRole('list', { name: 'Contacts' }).getByRole('listitem').filter({ hasText: 'Bob Baker' });
  await expect(bobRow).toContainText('Verified');
  await snapBothSchemes(alice.page, testInfo, 'safety-number-verified');

  await alice.page.getByRole('button', { name: 'Unmark as verified' }).click();
  await expect(alice.page.getByRole('button', { name: 'Mark as verified' })).toBeVisible();
  await expect(bobRow).not.toContainText('Verified');
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('verified survives a restart: unlock with the passphrase, the badge is still there', async ({ twoUsers }, testInfo) => {
  const { alice, company } = twoUsers;
  await markVerifiedFromList(alice.page, 'Bob Baker');

  // Restart Alice's host on the same data directory: it asks for her passphrase, then remembers.
  const { dataDir } = alice;
  await alice.context.close();
  await alice.host.close();
  const restarted = await company.openApp({ dataDir });
  const { page } = restarted;
  await page.setViewportSize(WINDOW_SIZE);
  await expect(page.getByRole('heading', { name: 'Unlock Sealcall' })).toBeVisible();
  await expect(page.getByText('Alice Archer')).toBeVisible();
  await snapBothSchemes(page, testInfo, 'unlock');
  await expectAccessible(page, 'the unlock screen');

  const passphrase = page.getByLabel('Passphrase');
  await passphrase.fill('not my passphrase');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText("That passphrase isn't right");
  await expect(passphrase).toBeFocused();
  await snapBothSchemes(page, testInfo, 'unlock-wrong');

  await passphrase.fill(TEST_PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  const row = page.getByRole('list', { name: 'Contacts' }).getByRole('listitem').filter({ hasText: 'Bob Baker' });
  await expect(row).toContainText('Verified');
  expect(restarted.problems()).toEqual([]);
});
