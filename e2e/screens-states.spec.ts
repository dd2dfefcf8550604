import { mkdir, writeFile } from 'node:fs/promises';
import { WebSocketServer } from 'ws';
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

  // Back while the next scheduled try is still far off (the backoff has grown past 8 s): "Try now"
  // connects without waiting for it, and the scheduled try cannot win the race to the click.
  await expect(page.getByText(/Next try in (?:[89]|\d{2,}) s/)).toBeVisible({ timeout: 30_000 });
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

test('a server of another protocol version: "update Sealcall", and no retrying', async ({ twoUsers }, testInfo) => {
  const { alice, bob, company } = twoUsers;
  const { page } = alice;
  await page.setViewportSize(WINDOW_SIZE);
  // Only Alice's app dials, so the old server's count is hers.
  await bob.close();
  // The company's server is replaced by a version-1 one on the same address: it takes whatever
  // subprotocol is offered and greets in version 1, as the last version-1 server did.
  const { port } = company.server;
  await company.server.stop();
  const old = new WebSocketServer({ host: '127.0.0.1', port });
  let connections = 0;
  old.on('connection', (socket) => {
    connections += 1;
    socket.send(JSON.stringify({ v: 1, type: 'hello', serverUrl: company.server.wsUrl, nonce: 'A'.repeat(43), serverVersion: '0.9.0' }));
  });
  try {
    // The app's next retry meets the old server.
    await expect(page.getByRole('status', { name: 'Connection: Update needed' })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole('alert')).toContainText('Update Sealcall.');
    await expect(page.getByRole('alert')).toContainText("This app is too old (or too new) for your company's server");
    await expect(page.getByRole('button', { name: 'Call Bob Baker' })).toBeDisabled();
    await snapBothSchemes(page, testInfo, 'update-needed');
    await expectAccessible(page, 'the update-needed banner');
    expect(connections, 'one try, then no more').toBe(1);
  } finally {
    await new Promise((resolve) => {
      old.close(resolve);
    });
  }
  await company.restartServer();
  expect(alice.problems()).toEqual([]);
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
