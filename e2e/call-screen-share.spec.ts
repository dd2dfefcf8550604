import type { Page } from '@playwright/test';
import type { SealcallDiagnostics } from '../renderer/call/diagnostics';
import { expect, test } from './fixtures';
import { connectCall, counters, hangUp, localTracks, mediaStats } from './harness/call-driver';
import { flipReceiveKeyBit } from './harness/wrong-key';
import { expectAccessible, snapBothSchemes, WINDOW_SIZE } from './screens-support';

/*
 * Encrypted screen share, through the app's own picker. The share replaces the camera in the call's
 * one video sender, whose SFrame transform stays attached: so the far side must decode the
 * share's frames (1080p from Chromium's fake screen, where the camera is 720p at most) while the
 * sharer's worker counts them encrypted and the viewer's counts them decrypted. The negative twin
 * gives the viewer a wrong key: the share then decodes nothing.
 */

// Typically 25-60 s (axe and screenshots included); the headroom is for a loaded 2-core CI machine encoding two VP8 streams.
test.describe.configure({ timeout: 300_000 });

type VideoReport = Awaited<ReturnType<SealcallDiagnostics['video']>>;

async function video(page: Page): Promise<VideoReport> {
  return page.evaluate(async () => {
    const diagnostics = window.sealcallDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallDiagnostics');
    return diagnostics.video();
  });
}

/**
 * What a side decodes, told apart by size: the app captures a share at 1080p (Chromium's fake
 * screen scales to it), the camera at 720p at most; a share's content hint keeps its resolution.
 */
async function receivedKind(page: Page): Promise<'screen' | 'camera' | 'none'> {
  const size = (await video(page)).received;
  if (size === null || size.width === 0) return 'none';
  return size.width === 1920 && size.height === 1080 ? 'screen' : size.width <= 1280 ? 'camera' : 'none';
}

/** Opens the picker from the call toolbar and shares the one (fake) screen; returns the dialog. */
async function shareThroughPicker(page: Page, testInfo?: Parameters<typeof snapBothSchemes>[1]): Promise<void> {
  const controls = page.getByRole('toolbar', { name: 'Call controls' });
  await controls.getByRole('button', { name: 'Share screen' }).click();
  const picker = page.getByRole('dialog', { name: 'Share your screen' });
  await expect(picker).toBeVisible();
  const screen = picker.getByRole('radio', { name: 'Entire screen' });
  await expect(screen).toBeChecked();
  if (testInfo !== undefined) {
    // Keyboard: focus starts on the dialog's first control (Close); Tab reaches the picked source.
    await page.keyboard.press('Tab');
    await expect(screen).toBeFocused();
    await expect(picker.getByRole('img')).toHaveCount(0); // the thumbnail is decorative (alt="")
    await expect(picker.locator('img')).toHaveJSProperty('complete', true);
    await expectAccessible(page, 'the screen picker');
    await snapBothSchemes(page, testInfo, 'screen-share-picker');
  }
  await picker.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(picker).toBeHidden();
}

async function decodedVideoFrames(page: Page): Promise<number> {
  return (await mediaStats(page)).framesDecoded;
}

test("Alice shares her screen from the picker: Bob decodes it, encrypted; Stop brings the camera back", async ({ twoUsers }, testInfo) => {
  const { alice, bob } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);
  await bob.page.setViewportSize(WINDOW_SIZE);
  await connectCall(alice.page, bob.page, bob.userId);
  await expect.poll(() => receivedKind(bob.page), { message: "Bob decodes Alice's camera", timeout: 15_000 }).toBe('camera');
  expect((await video(alice.page)).source).toBe('camera');

  await shareThroughPicker(alice.page, testInfo);
  const bar = alice.page.getByRole('status').filter({ hasText: 'You are sharing your screen' });
  await expect(bar).toBeVisible();
  expect(await video(alice.page)).toEqual(expect.objectContaining({ source: 'screen', shareCapture: 'live' }));

  await expect.poll(() => receivedKind(bob.page), { message: "Bob decodes Alice's screen", timeout: 15_000 }).toBe('screen');
  await expect(bob.page.getByText('Alice is sharing their screen')).toBeVisible();
  await expect(bob.page.getByLabel("Alice Archer's screen")).toBeVisible();
  await expect(bob.page.getByLabel("Alice Archer's screen")).toHaveCSS('object-fit', 'contain');

  // Through the worker on both sides, with nothing failing: the share is encrypted like the camera.
  const [aliceBefore, bobBefore, bobFramesBefore] = await Promise.all([counters(alice.page), counters(bob.page), decodedVideoFrames(bob.page)]);
  await expect.poll(async () => (await counters(alice.page)).encrypted.video, { message: 'Alice encrypts share frames', timeout: 15_000 }).toBeGreaterThan(aliceBefore.encrypted.video + 30);
  await expect.poll(async () => (await counters(bob.page)).decrypted.video, { message: 'Bob decrypts share frames', timeout: 15_000 }).toBeGreaterThan(bobBefore.decrypted.video + 30);
  await expect.poll(() => decodedVideoFrames(bob.page), { message: 'Bob decodes share frames', timeout: 15_000 }).toBeGreaterThan(bobFramesBefore + 30);
  expect(await receivedKind(bob.page)).toBe('screen');
  console.log(`sharing: alice ${JSON.stringify(await video(alice.page))}; bob ${JSON.stringify(await video(bob.page))}, ${await decodedVideoFrames(bob.page)} frames decoded`);

  await expectAccessible(alice.page, 'the call with the sharing bar');
  await snapBothSchemes(alice.page, testInfo, 'screen-share-sharing-bar');
  await expectAccessible(bob.page, 'the call showing a shared screen');
  await snapBothSchemes(bob.page, testInfo, 'screen-share-remote');

  const controls = alice.page.getByRole('toolbar', { name: 'Call controls' });
  // Stop: back to the camera, on both sides.
  await bar.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(bar).toBeHidden();
  await expect(controls.getByRole('button', { name: 'Share screen' })).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => (await video(alice.page)).source).toBe('camera');
  expect((await video(alice.page)).shareCapture, 'Stop ended the capture').toBe('ended');
  await expect.poll(() => receivedKind(bob.page), { message: "Bob decodes Alice's camera again", timeout: 15_000 }).toBe('camera');
  await expect(bob.page.getByText('Alice is sharing their screen')).toBeHidden();
  await expect(bob.page.getByLabel("Alice Archer's video")).toBeVisible();

  for (const page of [alice.page, bob.page]) expect((await counters(page)).failed).toEqual({ audio: 0, video: 0 });
  await hangUp(alice.page);
  expect((await localTracks(alice.page)).every((track) => track.readyState === 'ended')).toBe(true);
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('both share at once: each decodes the other’s screen; camera off keeps a share; hanging up stops the capture', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await connectCall(alice.page, bob.page, bob.userId);
  for (const page of [alice.page, bob.page]) await expect.poll(() => receivedKind(page), { timeout: 15_000 }).toBe('camera');

  await shareThroughPicker(alice.page);
  await shareThroughPicker(bob.page);
  for (const page of [alice.page, bob.page]) {
    await expect.poll(() => receivedKind(page), { message: 'each decodes the other’s screen', timeout: 15_000 }).toBe('screen');
    expect((await video(page)).source).toBe('screen');
    const before = [(await counters(page)).decrypted.video, await decodedVideoFrames(page)] as const;
    await expect.poll(async () => (await counters(page)).decrypted.video, { timeout: 15_000 }).toBeGreaterThan(before[0] + 30);
    await expect.poll(() => decodedVideoFrames(page), { timeout: 15_000 }).toBeGreaterThan(before[1] + 30);
  }
  await expect(alice.page.getByText('Bob is sharing their screen')).toBeVisible();
  await expect(bob.page.getByText('Alice is sharing their screen')).toBeVisible();

  const controls = alice.page.getByRole('toolbar', { name: 'Call controls' });
  // Camera off while sharing changes the camera only: the share goes on.
  await controls.getByRole('button', { name: 'Turn camera off' }).click();
  await expect(controls.getByRole('button', { name: 'Turn camera on' })).toBeVisible();
  expect((await video(alice.page)).source).toBe('screen');
  const framesWithCameraOff = await decodedVideoFrames(bob.page);
  // A few frames are enough to show the share goes on: a share's frame rate falls to a few a second
  // on a loaded machine (CI once decoded 11 in 15 s here).
  await expect.poll(() => decodedVideoFrames(bob.page), { message: 'the share goes on with the camera off', timeout: 15_000 }).toBeGreaterThan(framesWithCameraOff + 5);
  expect(await receivedKind(bob.page)).toBe('screen');
  await controls.getByRole('button', { name: 'Turn camera on' }).click();
  await expect(controls.getByRole('button', { name: 'Turn camera off' })).toBeVisible();
  expect((await video(alice.page)).source).toBe('screen');

  // Bob stops; Alice still shares, and Alice gets Bob's camera back.
  await bob.page.getByRole('button', { name: 'Stop sharing', exact: true }).click();
  await expect.poll(() => receivedKind(alice.page), { timeout: 15_000 }).toBe('camera');
  expect(await receivedKind(bob.page)).toBe('screen');
  await expect(alice.page.getByText('Bob is sharing their screen')).toBeHidden();

  // Hanging up while sharing ends the share's capture too.
  await hangUp(alice.page);
  await expect(alice.page.getByText('You are sharing your screen')).toBeHidden();
  expect(await alice.page.evaluate(() => window.sealcallDiagnostics?.engine.getState().sharing)).toBe(false);
  expect((await video(alice.page)).shareCapture, "Alice's screen capture stopped").toBe('ended');
  for (const page of [alice.page, bob.page]) expect((await counters(page)).failed).toEqual({ audio: 0, video: 0 });
});

test("negative twin: with a wrong key, Bob decodes nothing of Alice's share", async ({ company }) => {
  const alice = await company.enrolledUser('alice', 'Alice Archer');
  const bob = await company.enrolledUser('bob', 'Bob Baker', { eventFilter: flipReceiveKeyBit });
  await company.seeEachOther(alice, bob);
  await connectCall(alice.page, bob.page, bob.userId);

  await shareThroughPicker(alice.page);
  await expect.poll(async () => (await video(alice.page)).sent, { message: 'Alice sends her screen', timeout: 15_000 }).toEqual({ width: 1920, height: 1080 });
  const [aliceBefore, bobBefore] = await Promise.all([counters(alice.page), counters(bob.page)]);
  await expect.poll(async () => (await counters(alice.page)).encrypted.video, { message: 'Alice encrypts share frames', timeout: 15_000 }).toBeGreaterThan(aliceBefore.encrypted.video + 30);
  await expect.poll(async () => (await counters(bob.page)).failed.video, { message: "the share's frames fail at Bob", timeout: 15_000 }).toBeGreaterThan(bobBefore.failed.video + 30);

  const [bobCounters, bobMedia, bobVideo] = await Promise.all([counters(bob.page), mediaStats(bob.page), video(bob.page)]);
  console.log(`wrong key: bob ${JSON.stringify(bobCounters)}; decoded ${bobMedia.framesDecoded}; video ${JSON.stringify(bobVideo)}`);
  expect(bobCounters.decrypted.video, 'nothing decrypted at Bob').toBe(0);
  expect(bobMedia.framesDecoded, 'nothing decoded at Bob').toBe(0);
  expect(bobVideo.received, 'no decoded frame size at Bob').toBeNull();
  await hangUp(bob.page);
});
