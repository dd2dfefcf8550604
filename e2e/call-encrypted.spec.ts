import { expect, test } from './fixtures';
import { E2E_CAMERA_FPS } from './harness/chromium-args';
import { connectCall, counters, hangUp, localTracks, mediaStats, snapshot, waitForCallState } from './harness/call-driver';

/*
 * A real encrypted call between two enrolled users: real server, real cores, real WebRTC in
 * Chromium with fake camera and microphone. Calls are driven through the engine the screens use
 * (e2e/harness/call-driver.ts). Media must decode on both sides, and every frame must have gone
 * through the frame-crypto worker both ways, with nothing failing to authenticate.
 */

const WINDOW_MS = 3500;
/** More than half of what the fake camera makes in the window must arrive decoded. */
const MIN_FRAMES_IN_WINDOW = Math.floor(((WINDOW_MS / 1000) * E2E_CAMERA_FPS) / 2);


test('Alice calls Bob: both decode encrypted audio and video, same short code, clean hang-up', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await connectCall(alice.page, bob.page, bob.userId);

  const [aliceView, bobView] = await Promise.all([snapshot(alice.page), snapshot(bob.page)]);
  expect(aliceView.call?.shortCode).toMatch(/^\d{12}$/);
  expect(bobView.call?.shortCode).toBe(aliceView.call?.shortCode);

  // Media flows and keeps flowing: both counters rise across the whole window, on both sides.
  await expect.poll(async () => (await mediaStats(alice.page)).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(0);
  await expect.poll(async () => (await mediaStats(bob.page)).framesDecoded, { timeout: 10_000 }).toBeGreaterThan(0);
  const before = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const after = await Promise.all([mediaStats(alice.page), mediaStats(bob.page)]);
  for (const [index, name] of ['alice', 'bob'].entries()) {
    const [start, end] = [before[index], after[index]];
    if (start === undefined || end === undefined) throw new Error('missing stats');
    console.log(`${name}: +${end.framesDecoded - start.framesDecoded} video frames decoded, +${end.totalSamplesReceived - start.totalSamplesReceived} audio samples in ${WINDOW_MS} ms (${end.keyFramesDecoded} key frames in all)`);
    expect(end.framesDecoded - start.framesDecoded, `${name}'s video frames decoded`).toBeGreaterThan(MIN_FRAMES_IN_WINDOW);
    expect(end.totalSamplesReceived - start.totalSamplesReceived, `${name}'s audio samples`).toBeGreaterThan(48_000);
  }

  // VP8 and Opus only, both ways: the packetizers of other codecs read inside the encrypted payload.
  for (const [index, name] of ['alice', 'bob'].entries()) expect(after[index]?.codecs, `${name}'s codecs`).toEqual(['audio/opus', 'video/VP8']);

  // The transforms are attached and running on both sides, both ways, for both kinds.
  for (const [name, page] of [['alice', alice.page], ['bob', bob.page]] as const) {
    const report = await counters(page);
    console.log(`${name}: ${JSON.stringify(report)}`);
    expect(report.transformApi).toBe('script');
    expect(report.transforms.sort()).toEqual(['receive-audio', 'receive-video', 'send-audio', 'send-video']);
    expect(report.encrypted.audio, `${name} encrypted audio`).toBeGreaterThan(100);
    expect(report.encrypted.video, `${name} encrypted video`).toBeGreaterThan(30);
    expect(report.decrypted.audio, `${name} decrypted audio`).toBeGreaterThan(100);
    expect(report.decrypted.video, `${name} decrypted video`).toBeGreaterThan(30);
    expect(report.failed, `${name} failures`).toEqual({ audio: 0, video: 0 });
    expect((await snapshot(page)).encryption).toBe('encrypted');
  }

  await hangUp(alice.page);
  await Promise.all([waitForCallState(alice.page, 'ended'), waitForCallState(bob.page, 'ended')]);
  // The far side's peer closes too; that must not turn Bob's end into "connection lost".
  expect((await snapshot(alice.page)).call?.endReason).toBe('hangup');
  expect((await snapshot(bob.page)).call?.endReason).toBe('remote-hangup');
  for (const [name, page] of [['alice', alice.page], ['bob', bob.page]] as const) {
    const tracks = await localTracks(page);
    expect(tracks.length, `${name} opened camera and microphone`).toBe(2);
    expect(tracks.map((track) => track.readyState), `${name}'s camera light is off`).toEqual(['ended', 'ended']);
    await expect.poll(async () => (await counters(page)).keysWiped, { message: `${name}'s keys are wiped` }).toBe(true);
    const view = await snapshot(page);
    expect(view.encryption).toBe('idle');
    expect(view.error, `${name} sees no error`).toBeNull();
    expect(view.localTracks + view.remoteTracks).toBe(0);
  }
  // Nothing moves through the worker any more.
  const settled = await Promise.all([counters(alice.page), counters(bob.page)]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(await Promise.all([counters(alice.page), counters(bob.page)])).toEqual(settled);
  expect(alice.problems(), "Alice's page: console errors, CSP violations").toEqual([]);
  expect(bob.problems(), "Bob's page: console errors, CSP violations").toEqual([]);
  expect(await alice.host.invoke('call.current', undefined)).toEqual({ ok: true, value: null });
  expect(await bob.host.invoke('call.current', undefined)).toEqual({ ok: true, value: null });
});
