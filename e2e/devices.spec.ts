import type { Page } from '@playwright/test';
import type { UserSettings } from '../shared/settings-schema';
import { expect, test as base } from './fixtures';
import { mediaStats, snapshot, waitForCallState } from './harness/call-driver';
import { withFakeDeviceOptions } from './harness/chromium-args';
import { TEST_PASSPHRASE, unwrap, type CompanyUser } from './harness/company';
import { expectAccessible, snapBothSchemes, warmHarness, WINDOW_SIZE } from './screens-support';

/*
 * The lobby before a video call: preview, mic meter, device pickers that remember the choice
 * across a restart, start muted that really sends silence, and the message when the OS refuses
 * the camera. Chromium's fake devices, with a second camera (device-count=2); the fake audio
 * lists two microphones and two speakers of its own.
 */
const test = base.extend({
  launchOptions: [
    async ({ launchOptions }, use) => {
      await use({ ...launchOptions, args: withFakeDeviceOptions(launchOptions.args ?? [], 'device-count=2') });
    },
    { scope: 'worker' },
  ],
});

test.beforeAll(warmHarness);
/** A bound, not a measurement: under a loaded 2-core CI machine ICE has taken over 15 s here. */
const CONNECT_MS = 30_000;

/** Records every track getUserMedia hands the page, to check what was opened and that it stopped. */
async function watchCaptures(page: Page): Promise<() => Promise<{ label: string; kind: string; readyState: string }[]>> {
  await page.evaluate(() => {
    const opened: MediaStreamTrack[] = [];
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      opened.push(...stream.getTracks());
      return stream;
    };
    Object.assign(window, { openedTracks: opened });
  });
  return () =>
    page.evaluate(() =>
      (window as unknown as { openedTracks: MediaStreamTrack[] }).openedTracks.map((track) => ({ label: track.label, kind: track.kind, readyState: track.readyState })),
    );
}

async function settingsOf(user: CompanyUser): Promise<UserSettings> {
  return unwrap<{ values: UserSettings }>(await user.host.invoke('settings.get', undefined)).values;
}

test('the lobby shows the camera and a live mic meter, and the devices chosen there survive a restart', async ({ twoUsers }, testInfo) => {
  // The app restarts mid-test, and the lobby is scanned and pictured in both schemes.
  test.setTimeout(180_000);
  const { alice, company } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);
  const captures = await watchCaptures(alice.page);

  await alice.page.getByRole('button', { name: 'Call Bob Baker' }).click();
  const lobby = alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' });
  await expect(lobby.getByLabel('Your camera preview')).toBeVisible();
  // The fake microphone beeps: the meter moves.
  const meter = lobby.getByRole('meter', { name: 'Microphone level' });
  await expect.poll(() => meter.evaluate((element) => (element as HTMLMeterElement).value), { message: 'the mic meter moves', timeout: 10_000 }).toBeGreaterThan(0);

  const camera = lobby.getByRole('combobox', { name: 'Camera' });
  const microphone = lobby.getByRole('combobox', { name: 'Microphone' });
  const speaker = lobby.getByRole('combobox', { name: 'Speaker' });
  await expect(camera.getByRole('option')).toHaveText(['System default', 'fake_device_0', 'fake_device_1']);
  await camera.selectOption({ label: 'fake_device_1' });
  await microphone.selectOption({ label: 'Fake Audio Input 2' });
  await speaker.selectOption({ label: 'Fake Audio Output 2' });
  await expect.poll(() => settingsOf(alice)).toMatchObject({
    videoInputLabel: 'fake_device_1',
    audioInputLabel: 'Fake Audio Input 2',
    audioOutputLabel: 'Fake Audio Output 2',
  });
  // The preview follows the choice at once.
  await expect.poll(async () => (await captures()).filter((track) => track.readyState === 'live').map((track) => track.label).sort()).toEqual([
    'Fake Audio Input 2',
    'fake_device_1',
  ]);
  await snapBothSchemes(alice.page, testInfo, 'lobby');
  await expectAccessible(alice.page, 'the lobby');

  // Cancel: no call, and every track the preview opened has stopped (no camera light left on).
  await lobby.getByRole('button', { name: 'Cancel' }).click();
  await expect(lobby).toBeHidden();
  await expect.poll(async () => (await captures()).map((track) => track.readyState), { message: 'the preview stopped' }).not.toContain('live');
  expect(unwrap(await alice.host.invoke('call.current', undefined))).toBeNull();

  // Restart Alice's host on the same data directory, in a new browser context.
  const { dataDir } = alice;
  await alice.context.close();
  await alice.host.close();
  const restarted = await company.openApp({ dataDir });
  const { page } = restarted;
  await page.getByLabel('Passphrase').fill(TEST_PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('button', { name: 'Call Bob Baker' })).toBeEnabled({ timeout: 15_000 });
  const restartedCaptures = await watchCaptures(page);
  await page.getByRole('button', { name: 'Call Bob Baker' }).click();
  const again = page.getByRole('dialog', { name: 'Video call with Bob Baker' });
  await expect(again.getByRole('combobox', { name: 'Camera' }).locator('option:checked')).toHaveText('fake_device_1');
  await expect(again.getByRole('combobox', { name: 'Microphone' }).locator('option:checked')).toHaveText('Fake Audio Input 2');
  await expect(again.getByRole('combobox', { name: 'Speaker' }).locator('option:checked')).toHaveText('Fake Audio Output 2');
  await expect.poll(async () => (await restartedCaptures()).filter((track) => track.readyState === 'live').map((track) => track.label).sort()).toEqual([
    'Fake Audio Input 2',
    'fake_device_1',
  ]);
  await again.getByRole('button', { name: 'Cancel' }).click();

  // The camera comes back with a new id (plugged in again): it is found by its label. A camera
  // that is gone altogether falls back to the system default.
  unwrap(await restarted.host.invoke('settings.set', { videoInputId: 'id-before-replugging' }));
  await page.getByRole('button', { name: 'Call Bob Baker' }).click();
  await expect(again.getByRole('combobox', { name: 'Camera' }).locator('option:checked')).toHaveText('fake_device_1');
  await again.getByRole('button', { name: 'Cancel' }).click();
  unwrap(await restarted.host.invoke('settings.set', { videoInputId: 'id-of-a-gone-camera', videoInputLabel: 'Camera that was unplugged' }));
  await page.getByRole('button', { name: 'Call Bob Baker' }).click();
  await expect(again.getByRole('combobox', { name: 'Camera' }).locator('option:checked')).toHaveText('System default');
  await again.getByRole('button', { name: 'Cancel' }).click();
  expect(restarted.problems()).toEqual([]);
});

/**
 * The level (0–1, RMS-like) of the sound Bob received while his playout moved on by `samples`
 * more samples: from getStats' totalAudioEnergy, which sums level² × seconds.
 */
async function levelOver(page: Page, samples: number): Promise<number> {
  const start = await mediaStats(page);
  await expect
    .poll(async () => (await mediaStats(page)).totalSamplesReceived - start.totalSamplesReceived, { message: 'audio keeps playing', timeout: 20_000 })
    .toBeGreaterThan(samples);
  const end = await mediaStats(page);
  const seconds = (end.totalSamplesReceived - start.totalSamplesReceived) / OPUS_RATE;
  return Math.sqrt((end.totalAudioEnergy - start.totalAudioEnergy) / seconds);
}

const OPUS_RATE = 48_000;
/**
 * Digital silence: a decoded muted stream (all-zero frames) still rounds to a stray lowest bit
 * now and then, so "zero" is anything under two steps of a 16-bit sample. Speech or the fake
 * mic's beep is hundreds of times above it.
 */
const SILENCE = 2 / 32_767;

/** Alice places a video call through the lobby, Bob joins through his. */
async function callThroughLobbies(alice: CompanyUser, bob: CompanyUser, joinMuted: boolean): Promise<void> {
  await alice.page.getByRole('button', { name: 'Call Bob Baker' }).click();
  const lobby = alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' });
  const muted = lobby.getByRole('checkbox', { name: 'Join muted' });
  await expect(muted).not.toBeChecked();
  if (joinMuted) await muted.check();
  await lobby.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Alice Archer' }).getByRole('button', { name: 'Accept with video' }).click();
  await bob.page.getByRole('dialog', { name: 'Alice Archer is calling' }).getByRole('button', { name: 'Join' }).click();
  await Promise.all([waitForCallState(alice.page, 'connected', CONNECT_MS), waitForCallState(bob.page, 'connected', CONNECT_MS)]);
}

// Two seconds of 48 kHz playout: several of the fake microphone's beeps.
const WINDOW_SAMPLES = 96_000;

test('"Join muted" sends silence: Bob hears nothing from Alice until she unmutes', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await callThroughLobbies(alice, bob, true);
  expect((await snapshot(alice.page)).muted).toBe(true);
  const controls = alice.page.getByRole('toolbar', { name: 'Call controls' });
  await expect(controls.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
  // Muted means silence on the wire, not no audio at all: Bob's playout runs, at zero energy.
  const whileMuted = await levelOver(bob.page, WINDOW_SAMPLES);
  console.log(`muted: Bob received audio at level ${whileMuted} over ${WINDOW_SAMPLES} samples`);
  expect(whileMuted).toBeLessThan(SILENCE);

  await controls.getByRole('button', { name: 'Unmute' }).click();
  const unmuted = await levelOver(bob.page, WINDOW_SAMPLES);
  console.log(`after unmute: Bob received audio at level ${unmuted}`);
  expect(unmuted).toBeGreaterThan(SILENCE);
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('without "Join muted", Bob hears Alice from the start (the twin of the muted test)', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await callThroughLobbies(alice, bob, false);
  expect((await snapshot(alice.page)).muted).toBe(false);
  const unmuted = await levelOver(bob.page, WINDOW_SAMPLES);
  console.log(`unmuted: Bob received audio at level ${unmuted} over ${WINDOW_SAMPLES} samples`);
  expect(unmuted).toBeGreaterThan(SILENCE);
  expect(alice.problems()).toEqual([]);
  expect(bob.problems()).toEqual([]);
});

test('the camera light stays off with "Camera off", and the call still starts', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  const captures = await watchCaptures(alice.page);
  await alice.page.getByRole('button', { name: 'Call Bob Baker' }).click();
  const lobby = alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' });
  await lobby.getByRole('checkbox', { name: 'Camera off' }).check();
  await expect(lobby.getByText('Your camera is off')).toBeVisible();
  await expect.poll(async () => (await captures()).filter((track) => track.kind === 'video' && track.readyState === 'live')).toEqual([]);
  await lobby.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('alertdialog', { name: 'Alice Archer' }).getByRole('button', { name: 'Accept audio only' }).click();
  await Promise.all([waitForCallState(alice.page, 'connected', CONNECT_MS), waitForCallState(bob.page, 'connected', CONNECT_MS)]);
  expect((await snapshot(alice.page)).cameraOff).toBe(true);
  expect((await captures()).filter((track) => track.kind === 'video' && track.readyState === 'live'), 'the call opened no camera').toEqual([]);
  await expect(alice.page.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Turn camera on' })).toBeVisible();
});

test('when the OS refuses camera and microphone, the lobby says where to allow them, and the call can still start', async ({ twoUsers }, testInfo) => {
  const { alice, bob } = twoUsers;
  await alice.page.setViewportSize(WINDOW_SIZE);
  // As macOS or Windows refuse an app without the privacy permission: getUserMedia rejects.
  await alice.page.evaluate(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await alice.page.getByRole('button', { name: 'Call Bob Baker' }).click();
  const lobby = alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' });
  const alert = lobby.getByRole('alert');
  await expect(alert).toContainText('Sealcall isn’t allowed to use your camera');
  await expect(alert).toContainText('Sealcall isn’t allowed to use your microphone');
  await expect(alert).toContainText('System Settings › Privacy & Security › Camera');
  await expect(alert).toContainText('Settings › Privacy & security › Microphone');
  await expect(alert).toContainText('You can still join without your camera.');
  await expect(lobby.getByText('Camera unavailable')).toBeVisible();
  await snapBothSchemes(alice.page, testInfo, 'lobby-denied');
  await expectAccessible(alice.page, 'the lobby with devices refused');
  // Without camera and microphone the call still goes out: Bob's phone rings.
  await lobby.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(bob.page.getByRole('alertdialog', { name: 'Alice Archer' })).toBeVisible();
  const view = await snapshot(alice.page);
  expect(view.error).toBeNull();
  expect([view.muted, view.cameraOff]).toEqual([true, true]);
  await alice.page.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Hang up' }).click();
  await expect(bob.page.getByRole('alertdialog', { name: 'Alice Archer' })).toBeHidden();
});

/** How many ringtones are sounding: audio contexts that made the ring's oscillators and are not closed. */
async function watchRinging(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const ringing = new Set<BaseAudioContext>();
    const createOscillator = Object.getOwnPropertyDescriptor(BaseAudioContext.prototype, 'createOscillator')?.value as (this: BaseAudioContext) => OscillatorNode;
    BaseAudioContext.prototype.createOscillator = function (this: BaseAudioContext) {
      ringing.add(this);
      return createOscillator.call(this);
    };
    const close = Object.getOwnPropertyDescriptor(AudioContext.prototype, 'close')?.value as (this: AudioContext) => Promise<void>;
    AudioContext.prototype.close = function (this: AudioContext) {
      ringing.delete(this);
      return close.call(this);
    };
    Object.assign(window, { ringing });
  });
  return () => page.evaluate(() => (window as unknown as { ringing: Set<BaseAudioContext> }).ringing.size);
}

test('answering with video: the lobby keeps ringing until Join, and closes when the caller gives up', async ({ twoUsers }, testInfo) => {
  // Two calls, and the lobby is scanned and pictured in both schemes.
  test.setTimeout(180_000);
  const { alice, bob } = twoUsers;
  await bob.page.setViewportSize(WINDOW_SIZE);
  const ringing = await watchRinging(bob.page);
  const captures = await watchCaptures(bob.page);

  const placeCall = async () => {
    await alice.page.getByRole('button', { name: 'Call Bob Baker' }).click();
    await alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' }).getByRole('button', { name: 'Call', exact: true }).click();
    await bob.page.getByRole('alertdialog', { name: 'Alice Archer' }).getByRole('button', { name: 'Accept with video' }).click();
  };
  const lobby = bob.page.getByRole('dialog', { name: 'Alice Archer is calling' });

  await placeCall();
  await expect(lobby.getByLabel('Your camera preview')).toBeVisible();
  await expect.poll(ringing, { message: 'still ringing in the lobby' }).toBe(1);
  await snapBothSchemes(bob.page, testInfo, 'lobby-incoming');
  await expectAccessible(bob.page, 'the lobby of an incoming call');
  // Alice gives up before Bob joins: his lobby closes, the ring stops, the preview camera goes off.
  await alice.page.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Hang up' }).click();
  await expect(lobby).toBeHidden();
  await expect(bob.page.getByText('Missed call from Alice Archer')).toBeVisible();
  await expect.poll(ringing, { message: 'the ring stopped' }).toBe(0);
  await expect.poll(async () => (await captures()).map((track) => track.readyState)).not.toContain('live');

  // This time Bob joins: the ring stops, and the call connects with video both ways.
  await expect(alice.page.getByRole('button', { name: 'Call Bob Baker' })).toBeEnabled({ timeout: 10_000 });
  await placeCall();
  await expect.poll(ringing).toBe(1);
  await lobby.getByRole('button', { name: 'Join' }).click();
  await Promise.all([waitForCallState(alice.page, 'connected', CONNECT_MS), waitForCallState(bob.page, 'connected', CONNECT_MS)]);
  await expect(lobby).toBeHidden();
  await expect.poll(ringing, { message: 'the ring stopped at Join' }).toBe(0);
  await expect(bob.page.getByLabel("Alice Archer's video")).toBeVisible({ timeout: 15_000 });
  expect(bob.problems()).toEqual([]);
});

test('"Start calls muted" in Settings applies to an audio call, which skips the lobby', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await alice.page.getByRole('button', { name: 'Settings', exact: true }).click();
  await alice.page.getByRole('checkbox', { name: 'Start calls muted' }).check();
  await expect.poll(async () => (await settingsOf(alice)).startMuted).toBe(true);
  await alice.page.getByRole('button', { name: 'Contacts', exact: true }).click();

  await alice.page.getByRole('button', { name: 'Audio call to Bob Baker' }).click();
  await expect(alice.page.getByRole('dialog', { name: 'Video call with Bob Baker' })).toHaveCount(0);
  await bob.page.getByRole('alertdialog', { name: 'Alice Archer' }).getByRole('button', { name: 'Accept audio only' }).click();
  await Promise.all([waitForCallState(alice.page, 'connected', CONNECT_MS), waitForCallState(bob.page, 'connected', CONNECT_MS)]);
  expect((await snapshot(alice.page)).muted).toBe(true);
  const whileMuted = await levelOver(bob.page, WINDOW_SAMPLES);
  console.log(`audio call, muted by default: Bob received audio at level ${whileMuted}`);
  expect(whileMuted).toBeLessThan(SILENCE);
  expect(alice.problems()).toEqual([]);
});
