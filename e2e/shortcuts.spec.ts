import { expect, test } from './fixtures';
import { connectCall, placeCall, snapshot, waitForCallState } from './harness/call-driver';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * The keyboard shortcuts, pressed as a user presses them (the harness runs on Linux: Ctrl, not Cmd),
 * checked by what they change: the engine's state, the buttons' pressed state, the call on both sides.
 */

test.beforeAll(warmHarness);

test('in a call: Ctrl+Shift+M mutes, Ctrl+Shift+O turns the camera off, Ctrl+Shift+H hangs up on both sides', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  const { page } = alice;
  await connectCall(page, bob.page, bob.userId, { audio: true, video: true });
  const controls = page.getByRole('toolbar', { name: 'Call controls' });
  const mute = controls.getByRole('button', { name: 'Mute' });
  await expect(mute).toHaveAttribute('aria-pressed', 'false');
  await expect(mute).toHaveAttribute('aria-keyshortcuts', 'Control+Shift+M');
  await expect(mute).toHaveAttribute('title', 'Mute (Ctrl+Shift+M)');

  await page.keyboard.press('Control+Shift+M');
  await expect(controls.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
  expect((await snapshot(page)).muted).toBe(true);
  await page.keyboard.press('Control+Shift+M');
  await expect(controls.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'false');
  expect((await snapshot(page)).muted).toBe(false);

  await expect(page.getByLabel('Your camera')).toBeVisible();
  await page.keyboard.press('Control+Shift+O');
  await expect(controls.getByRole('button', { name: 'Turn camera on' })).toHaveAttribute('aria-pressed', 'true');
  expect((await snapshot(page)).cameraOff).toBe(true);
  await expect(page.getByLabel('Your camera')).toBeHidden();

  // Letters alone are not shortcuts.
  await page.keyboard.press('h');
  expect((await snapshot(page)).call?.state).toBe('connected');

  await page.keyboard.press('Control+Shift+H');
  await Promise.all([waitForCallState(page, 'ended'), waitForCallState(bob.page, 'ended')]);
  expect((await snapshot(page)).call?.endReason).toBe('hangup');
  expect((await snapshot(bob.page)).call?.endReason).toBe('remote-hangup');
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('ringing: Ctrl+Shift+S answers with audio only, Ctrl+Shift+D declines', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await placeCall(alice.page, bob.userId, { audio: true, video: false });
  const ringing = bob.page.getByRole('alertdialog', { name: 'Alice Archer' });
  await expect(ringing).toBeVisible();
  // The ring is announced to screen readers, not only drawn.
  await expect(ringing.locator('[aria-live="assertive"]')).toHaveText('Alice Archer is calling, audio call');
  await expect(ringing.getByRole('button', { name: 'Accept audio only' })).toHaveAttribute('aria-keyshortcuts', 'Control+Shift+S');
  await bob.page.keyboard.press('Control+Shift+S');
  await Promise.all([waitForCallState(alice.page, 'connected'), waitForCallState(bob.page, 'connected')]);
  await expect(ringing).toBeHidden();
  await expect(bob.page.getByLabel('Your camera')).toBeHidden();
  await bob.page.keyboard.press('Control+Shift+H');
  await waitForCallState(alice.page, 'ended');

  await placeCall(alice.page, bob.userId, { audio: true, video: false });
  await expect(ringing).toBeVisible();
  await bob.page.keyboard.press('Control+Shift+D');
  await expect(ringing).toBeHidden();
  await expect(alice.page.getByText('Bob declined')).toBeVisible();
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('the shortcuts list opens with "?", Ctrl+/ or its button, but not while typing in a field', async ({ twoUsers }, testInfo) => {
  const { alice } = twoUsers;
  const { page } = alice;
  await page.setViewportSize(WINDOW_SIZE);
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });

  // Typed into the search field, "?" is a character and Ctrl+/ does nothing.
  const search = page.getByRole('searchbox', { name: 'Search contacts' });
  await search.focus();
  await page.keyboard.press('?');
  await page.keyboard.press('Control+/');
  await expect(search).toHaveValue('?');
  await expect(dialog).toHaveCount(0);
  await search.fill('');

  await page.getByRole('heading', { level: 2, name: 'Contacts' }).click();
  await page.keyboard.press('?');
  await expect(dialog).toBeVisible();
  for (const [description, keys] of [
    ['Mute or unmute your microphone', 'CtrlShiftM'],
    ['Turn your camera on or off', 'CtrlShiftO'],
    ['Raise or lower your hand (group calls)', 'CtrlShiftK'],
    ['Hang up', 'CtrlShiftH'],
    ['Answer with video', 'CtrlShiftA'],
    ['Answer with audio only', 'CtrlShiftS'],
    ['Decline the call', 'CtrlShiftD'],
  ] as const) {
    await expect(dialog.getByRole('definition').filter({ has: page.locator(`xpath=preceding-sibling::dt[1][.="${description}"]`) })).toHaveText(keys);
  }
  await snapBothSchemes(page, testInfo, 'shortcuts-dialog');
  await expectAccessible(page, 'the keyboard-shortcuts dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await page.keyboard.press('Control+/');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();

  const button = page.getByRole('navigation', { name: 'Sealcall' }).getByRole('button', { name: 'Shortcuts' });
  await expect(button).toHaveAttribute('aria-keyshortcuts', 'Shift+? Control+/');
  await button.click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(button).toBeFocused();
  expect(alice.problems()).toEqual([]);
});
