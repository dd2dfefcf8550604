import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { TEST_PASSPHRASE, unwrap, type CompanyUser } from './harness/company';
import type { HarnessUser } from './harness/harness-user';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

test.beforeAll(warmHarness);

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Settings' })).toBeVisible();
}

/** The 30 digits the settings screen shows as the user's own safety number, group by group. */
async function shownOwnDigits(page: Page): Promise<string> {
  const groups = page.getByRole('list', { name: 'Your safety number' }).getByRole('listitem');
  await expect(groups).toHaveCount(6);
  const texts = await groups.allInnerTexts();
  for (const text of texts) expect(text).toMatch(/^\d{5}$/);
  return texts.join('');
}

async function bodyBackground(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

const LIGHT_BG = 'rgb(243, 244, 246)';
const DARK_BG = 'rgb(17, 19, 22)';

test('settings show your own safety number and server, and the theme overrides the OS scheme', async ({ twoUsers }, testInfo) => {
  const { alice, bob, company } = twoUsers;
  const { page } = alice;
  await page.setViewportSize(WINDOW_SIZE);
  await openSettings(page);
  const enrolled = unwrap<{ serverUrl: string }>(await alice.host.invoke('identity.status', undefined));
  expect(enrolled.serverUrl).toBe(company.server.wsUrl);
  await expect(page.getByText(enrolled.serverUrl, { exact: true })).toBeVisible();
  await expect(page.getByText('Alice Archer (alice)')).toBeVisible();

  // Each side's own digits are its half of the safety number both see with the other.
  const aliceDigits = await shownOwnDigits(page);
  await openSettings(bob.page);
  const bobDigits = await shownOwnDigits(bob.page);
  expect(aliceDigits).not.toBe(bobDigits);
  const together = unwrap<{ digits: string }>(await alice.host.invoke('contacts.safetyNumber', { userId: 'bob' })).digits;
  expect([aliceDigits, bobDigits].sort().join('')).toBe(together);

  await snapBothSchemes(page, testInfo, 'settings');
  await expectAccessible(page, 'the settings screen');
  await page.getByRole('heading', { name: 'Your account' }).scrollIntoViewIfNeeded();
  await snapBothSchemes(page, testInfo, 'settings-account');

  // "Dark" wins over a light OS, "Light" over a dark one, "Same as system" follows the OS again.
  const theme = page.getByRole('group', { name: 'Theme' });
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await bodyBackground(page)).toBe(LIGHT_BG);
  await theme.getByRole('radio', { name: 'Dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect.poll(() => bodyBackground(page)).toBe(DARK_BG);
  await page.emulateMedia({ colorScheme: 'dark' });
  await theme.getByRole('radio', { name: 'Light' }).check();
  await expect.poll(() => bodyBackground(page)).toBe(LIGHT_BG);
  await snapBothSchemes(page, testInfo, 'settings-theme-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await theme.getByRole('radio', { name: 'Same as system' }).check();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  await expect.poll(() => bodyBackground(page)).toBe(DARK_BG);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await bodyBackground(page)).toBe(LIGHT_BG);
  expect(unwrap<{ values: { theme: string } }>(await alice.host.invoke('settings.get', undefined)).values.theme).toBe('system');
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

/** Closes the user's host and opens it again on the same data directory, unlocked. */
async function restart(user: CompanyUser, open: (dataDir: string) => Promise<HarnessUser>): Promise<HarnessUser> {
  const { dataDir } = user;
  await user.context.close();
  await user.host.close();
  const restarted = await open(dataDir);
  await restarted.page.setViewportSize(WINDOW_SIZE);
  await restarted.page.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
  await restarted.page.getByRole('button', { name: 'Unlock' }).click();
  return restarted;
}

test('relay-only survives a restart; a setting the organization locks shows as managed and cannot be changed', async ({ twoUsers }, testInfo) => {
  const { alice, company } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);
  await openSettings(alice.page);
  const relayOnly = alice.page.getByRole('checkbox', { name: 'Relay-only calls (hides your IP address from the other side)' });
  await expect(relayOnly).not.toBeChecked();
  await relayOnly.check();
  await expect.poll(async () => unwrap<{ values: { relayOnly: boolean } }>(await alice.host.invoke('settings.get', undefined)).values.relayOnly).toBe(true);
  // The relay-only choice reaches the calls: the ICE policy handed to the engine says so.
  expect(unwrap<{ relayOnly: boolean }>(await alice.host.invoke('turn.iceServers', undefined)).relayOnly).toBe(true);

  // IT turns the ringtone off for everyone and locks it (the harness reads the config from the data dir).
  const config = path.join(alice.dataDir, 'no-enterprise-config.json');
  await writeFile(config, JSON.stringify({ ringtone: false, locked: ['ringtone'] }));
  await chmod(config, 0o644);
  const restarted = await restart(alice, (dataDir) => company.openApp({ dataDir }));
  const { page } = restarted;
  await openSettings(page);
  await expect(page.getByRole('checkbox', { name: 'Relay-only calls (hides your IP address from the other side)' })).toBeChecked();

  const ringtone = page.getByRole('checkbox', { name: 'Play a ringtone for incoming calls' });
  await expect(ringtone).not.toBeChecked();
  await expect(ringtone).toBeDisabled();
  await expect(ringtone).toHaveAccessibleDescription('Managed by your organization');
  // Unlocked settings stay changeable.
  await expect(page.getByRole('checkbox', { name: 'Start calls muted' })).toBeEnabled();
  await snapBothSchemes(page, testInfo, 'settings-managed');
  await expectAccessible(page, 'the settings screen with a managed setting');

  // The core refuses the change too, whatever the page does.
  const refused = await restarted.host.invoke('settings.set', { ringtone: true });
  expect(refused).toMatchObject({ ok: false, error: { code: 'setting-locked' } });
  expect(restarted.problems()).toEqual([]);
});
