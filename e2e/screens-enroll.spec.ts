import { parseSealcallLink } from '../electron/core/deep-link';
import { expect, test } from './fixtures';
import { TEST_PASSPHRASE } from './harness/company';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

test.beforeAll(warmHarness);

test('a new employee enrolls through the UI; bad and used links say what is wrong', async ({ company }, testInfo) => {
  const app = await company.openApp();
  const { page } = app;
  await page.setViewportSize(WINDOW_SIZE);

  await expect(page.getByRole('heading', { name: 'Set up this computer' })).toBeVisible();
  // The harness has no OS keychain, so the screen asks for a passphrase and says why.
  await expect(page.getByText('This computer has no secure keychain')).toBeVisible();
  const link = page.getByRole('textbox', { name: 'Enrollment link' });
  const passphrase = page.getByLabel('Passphrase', { exact: true });
  const confirm = page.getByLabel('Confirm passphrase');
  const submit = page.getByRole('button', { name: 'Set up Sealcall' });
  await expect(page.getByRole('textbox', { name: 'Name of this computer' })).toHaveValue('Linux computer');
  await snapBothSchemes(page, testInfo, 'enrollment');
  await expectAccessible(page, 'the enrollment screen');

  // A link that is not a Sealcall link at all.
  await link.fill('https://intranet.example.com/sealcall');
  await passphrase.fill(TEST_PASSPHRASE);
  await confirm.fill(TEST_PASSPHRASE);
  await submit.click();
  await expect(link).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert')).toContainText("This isn't a link Sealcall can use. This is a https:// link, not a sealcall:// link.");
  await snapBothSchemes(page, testInfo, 'enrollment-bad-link');

  // A passphrase too short to protect a key is refused before the one-time code is spent.
  await link.fill(await company.inviteLink('dana', 'Dana Dorsey'));
  await passphrase.fill('short');
  await confirm.fill('short');
  await submit.click();
  await expect(passphrase).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert')).toContainText('Use at least 8 characters');

  // A link someone already used (here: enrolled on another computer first).
  const usedLink = await company.inviteLink('erin', 'Erin Eastman');
  const other = await company.openApp();
  const enrolled = await other.host.invoke('identity.enroll', { link: usedLink, deviceName: 'Other', passphrase: TEST_PASSPHRASE });
  expect(enrolled.ok).toBe(true);
  await link.fill(usedLink);
  await passphrase.fill(TEST_PASSPHRASE);
  await confirm.fill(TEST_PASSPHRASE);
  await submit.click();
  await expect(page.getByRole('alert')).toContainText("Sealcall couldn't set up this computer");
  await expect(page.getByRole('alert')).toContainText('This enrollment code has already been used');

  // The real link, as IT sends it: the main screen follows, with the colleague enrolled before.
  await link.fill(await company.inviteLink('dana', 'Dana Dorsey'));
  await submit.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sealcall' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText('Dana Dorsey');
  await expect(page.getByRole('status', { name: 'Connection: Online' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Call Erin Eastman' })).toBeVisible();
  expect(app.problems()).toEqual([]);
});

test('an enrollment link opened from the OS fills itself in', async ({ company }) => {
  const app = await company.openApp();
  const { page } = app;
  await expect(page.getByRole('heading', { name: 'Set up this computer' })).toBeVisible();
  const invite = await company.inviteLink('frank', 'Frank Fisher');
  app.host.handleDeepLink(parseSealcallLink(invite));
  await expect(page.getByRole('textbox', { name: 'Enrollment link' })).toHaveValue(invite);
  await expect(page.getByText('Filled in from the link you opened.')).toBeVisible();
  expect(app.problems()).toEqual([]);
});
