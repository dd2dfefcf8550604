import { mkdir, writeFile } from 'node:fs/promises';
import { runCli } from '../server/test-support/harness.fixture';
import { expect, test } from './fixtures';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

test.beforeAll(warmHarness);

test('offline: the header and a banner say so, and calls wait for the connection', async ({ twoUsers }, testInfo) => {
  const { alice, company } = twoUsers;
  const { page } = alice;
  await page.setViewportSize(WINDOW_SIZE);
  await expect(page.getByRole('button', { name: 'Call Bob Baker' })).toBeEnabled();

  await company.server.stop();
  await expect(page.getByText("You're offline.")).toBeVisible();
  await expect(page.getByText(/Next try in \d+ s|Reconnecting/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Call Bob Baker' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Call Bob Baker' })).toHaveAttribute('title', /offline/);
  await snapBothSchemes(page, testInfo, 'offline');
  await expectAccessible(page, 'the offline banner');

  // Back before the next scheduled try: "Try now" does not wait for it.
  await company.restartServer();
  await page.getByRole('button', { name: 'Try now' }).click();
  await expect(page.getByRole('status', { name: 'Connection: Online' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Call Bob Baker' })).toBeEnabled();
  expect(alice.problems()).toEqual([]);
});

test('refused: a revoked computer is told why, and what to do', async ({ company }, testInfo) => {
  const dana = await company.enrolledUser('dana', 'Dana Dorsey');
  const { page } = dana;
  await page.setViewportSize(WINDOW_SIZE);
  await expect(page.getByText('No colleagues yet')).toBeVisible();
  await snapBothSchemes(page, testInfo, 'no-contacts');

  const revoked = await runCli(['revoke', 'dana', '--data-dir', company.server.dataDir]);
  expect(revoked.code, revoked.stderr).toBe(0);
  await expect(page.getByRole('status', { name: 'Connection: Not signed in' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('The server refused this computer.');
  await expect(page.getByRole('alert')).toContainText('Your access has been revoked by an administrator. If you should still have access, ask IT for a new enrollment link.');
  await snapBothSchemes(page, testInfo, 'refused');
  expect(dana.problems()).toEqual([]);
});

test('a damaged key file shows what happened and what to do, and never a new key', async ({ company }, testInfo) => {
  const dataDir = testInfo.outputPath('damaged-data');
  await mkdir(dataDir, { recursive: true });
  await writeFile(`${dataDir}/identity.keystore`, 'this is not a keystore');
  const app = await company.openApp({ dataDir });
  const { page } = app;
  await page.setViewportSize(WINDOW_SIZE);
  const alert = page.getByRole('alert');
  await expect(alert.getByRole('heading', { name: 'Your key file is damaged' })).toBeVisible();
  await expect(alert).toContainText('Ask IT to revoke this device');
  await expect(alert).toContainText('(keystore-corrupt)');
  await snapBothSchemes(page, testInfo, 'identity-error');
  await expectAccessible(page, 'the damaged-key screen');
  expect(app.problems()).toEqual([]);
});
