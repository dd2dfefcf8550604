import { parseSealcallLink } from '../electron/core/deep-link';
import type { CallView } from '../shared/ipc';
import { expect, test } from './fixtures';
import { hangUp, placeCall, waitForCallState } from './harness/call-driver';
import { TEST_PASSPHRASE, unwrap, type CompanyUser } from './harness/company';
import type { HarnessUser } from './harness/harness-user';
import { expectAccessible, warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * sealcall:// links as the OS hands them to the app: through Host.handleDeepLink, which is what the
 * shell calls (electron/shell/main.ts), so the core's parsing and the renderer's handling both run.
 */

test.beforeAll(warmHarness);

function openLink(user: HarnessUser, link: string): void {
  user.host.handleDeepLink(parseSealcallLink(link));
}

async function currentCall(user: CompanyUser): Promise<CallView | null> {
  return unwrap<CallView | null>(await user.host.invoke('call.current', undefined));
}

test('a call link asks first, then starts an audio call: Bob rings, and no camera turns on', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  openLink(alice, 'sealcall://call/bob');
  const ask = alice.page.getByRole('dialog', { name: 'Call Bob Baker?' });
  await expect(ask).toContainText('your microphone will be on, your camera stays off');
  await expectAccessible(alice.page, 'the call-link confirmation');
  // Nothing is placed until Alice says so, and Cancel places nothing.
  expect(await currentCall(alice)).toBeNull();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toBeHidden();
  expect(await currentCall(alice)).toBeNull();
  await expect(bob.page.getByRole('alertdialog')).toBeHidden();

  openLink(alice, 'sealcall://call/bob');
  await ask.getByRole('button', { name: 'Call' }).click();
  const ringing = bob.page.getByRole('alertdialog', { name: 'Alice Archer' });
  await expect(ringing).toContainText('Incoming audio call');
  await expect(alice.page.getByRole('heading', { level: 2, name: 'Bob Baker' })).toBeVisible();
  await expect(alice.page.getByText(/^(Calling|Ringing)…$/)).toBeVisible();
  expect((await currentCall(alice))?.media).toEqual({ audio: true, video: false });
  await expect(alice.page.getByLabel('Your camera')).toBeHidden();

  await ringing.getByRole('button', { name: 'Decline' }).click();
  await expect(alice.page.getByText('Bob declined')).toBeVisible();
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('a call link to a contact whose key changed meets the gate first', async ({ twoUsers }) => {
  const { alice, company } = twoUsers;
  const newBob = await company.newComputer('bob', 'Bob Baker', alice);
  const bobRow = alice.page.getByRole('list', { name: 'Contacts' }).getByRole('listitem').filter({ hasText: 'Bob Baker' });
  await expect(bobRow).toContainText('Safety number changed');

  const ask = alice.page.getByRole('dialog', { name: 'Call Bob Baker?' });
  openLink(alice, 'sealcall://call/bob');
  await ask.getByRole('button', { name: 'Call' }).click();
  const gate = alice.page.getByRole('dialog', { name: "Bob Baker's safety number changed" });
  await expect(gate).toBeVisible();
  await expect(gate.getByRole('list', { name: 'New safety number with Bob Baker' }).getByRole('listitem')).toHaveCount(12);
  expect(await currentCall(alice)).toBeNull();
  await gate.getByRole('button', { name: 'Cancel' }).click();
  await expect(gate).toBeHidden();
  expect(await currentCall(alice)).toBeNull();

  // Chosen knowingly, the call goes ahead, still without the camera.
  openLink(alice, 'sealcall://call/bob');
  await ask.getByRole('button', { name: 'Call' }).click();
  await gate.getByRole('button', { name: 'Call anyway' }).click();
  await expect(newBob.page.getByRole('alertdialog', { name: 'Alice Archer' })).toContainText('Incoming audio call');
  expect((await currentCall(alice))?.media).toEqual({ audio: true, video: false });
  await hangUp(alice.page);
  expect(alice.problems()).toEqual([]);
  expect(newBob.problems()).toEqual([]);
});

test('a call link that cannot be followed says why: a stranger, a call in progress, offline', async ({ twoUsers }) => {
  const { alice, bob, company } = twoUsers;
  const notice = alice.page.getByRole('status').filter({ hasText: 'link' });

  openLink(alice, 'sealcall://call/zoe');
  await expect(notice).toHaveText(/Couldn't start the call from the link: zoe is not in your contacts\./);
  expect(await currentCall(alice)).toBeNull();
  await notice.getByRole('button', { name: 'Dismiss' }).click();

  // Ringing Bob already: the link must not hang that call up or place a second one.
  await placeCall(alice.page, bob.userId, { audio: true, video: false });
  await waitForCallState(bob.page, 'incoming');
  const ongoing = await currentCall(alice);
  openLink(alice, 'sealcall://call/bob');
  await expect(notice).toContainText("You're already in a call. Hang up first to call Bob from the link.");
  expect((await currentCall(alice))?.callId).toBe(ongoing?.callId);
  await hangUp(alice.page);
  await waitForCallState(alice.page, 'ended');
  await notice.getByRole('button', { name: 'Dismiss' }).click();

  await company.server.stop();
  await expect(alice.page.getByText("You're offline.")).toBeVisible();
  // The offline state settles between reconnection attempts; the link is judged then.
  openLink(alice, 'sealcall://call/bob');
  await expect(notice).toContainText("Couldn't call Bob from the link: you're offline.", { timeout: 15_000 });
  await alice.page.setViewportSize(WINDOW_SIZE);
  await expectAccessible(alice.page, 'the main screen with a link notice');
  expect(alice.problems()).toEqual([]);
});

test('an enrollment link: an enrolled app explains it was not used; a new one enrolls from it', async ({ twoUsers }) => {
  const { alice, company } = twoUsers;
  openLink(alice, await company.inviteLink('gina', 'Gina Grant'));
  await expect(alice.page.getByRole('status').filter({ hasText: 'enrollment link' })).toContainText(
    'This computer is already set up for Sealcall as alice, so the enrollment link was not used.',
  );
  await expect(alice.page.getByRole('banner')).toContainText('Alice Archer');

  const app = await company.openApp();
  const { page } = app;
  await expect(page.getByRole('heading', { name: 'Set up this computer' })).toBeVisible();
  const invite = await company.inviteLink('hank', 'Hank Hill');
  openLink(app, invite);
  await expect(page.getByRole('textbox', { name: 'Enrollment link' })).toHaveValue(invite);
  await page.getByLabel('Passphrase', { exact: true }).fill(TEST_PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(TEST_PASSPHRASE);
  await page.getByRole('button', { name: 'Set up Sealcall' }).click();
  await expect(page.getByRole('banner')).toContainText('Hank Hill', { timeout: 20_000 });
  await expect(page.getByRole('status', { name: 'Connection: Online' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Call Alice Archer' })).toBeVisible();
  expect(app.problems()).toEqual([]);
});
