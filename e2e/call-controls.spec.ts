import { expect, test } from './fixtures';
import { acceptCall, configureEngine, connectCall, counters, hangUp, localTracks, mediaStats, placeCall, playRemoteAudio, snapshot, waitForCallState } from './harness/call-driver';

/*
 * The media a user chooses, and the controls: an audio-only answer still receives (and decrypts)
 * video, the camera can come on mid-call through the same encrypted sender, mute sends silence,
 * and the legacy transform API (createEncodedStreams) encrypts just the same.
 */


async function decodedVideo(page: Parameters<typeof mediaStats>[0]): Promise<number> {
  return (await mediaStats(page)).framesDecoded;
}

test('Bob answers audio-only, then turns his camera on; Alice mutes and still sends (silence)', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await placeCall(alice.page, bob.userId, { audio: true, video: true });
  await acceptCall(bob.page, { audio: true, video: false });
  await Promise.all([waitForCallState(alice.page, 'connected'), waitForCallState(bob.page, 'connected')]);
  await Promise.all([playRemoteAudio(alice.page), playRemoteAudio(bob.page)]);

  // Bob opened no camera, yet his (answering) video receiver decrypts Alice's video.
  expect((await localTracks(bob.page)).map((track) => track.kind)).toEqual(['audio']);
  expect((await snapshot(bob.page)).cameraOff).toBe(true);
  await expect.poll(() => decodedVideo(bob.page), { message: 'Bob decodes Alice\'s video', timeout: 10_000 }).toBeGreaterThan(10);
  // The worker reports every 500 ms: its counts trail getStats a little.
  await expect.poll(async () => (await counters(bob.page)).decrypted.video).toBeGreaterThan(10);
  expect(await decodedVideo(alice.page)).toBe(0);

  // Camera on: a new track into the same (transformed) sender.
  await bob.page.evaluate(() => {
    window.sealcallDiagnostics?.engine.setCameraOff(false);
  });
  await expect.poll(() => decodedVideo(alice.page), { message: "Alice decodes Bob's video", timeout: 10_000 }).toBeGreaterThan(10);
  await expect.poll(async () => (await counters(bob.page)).encrypted.video).toBeGreaterThan(10);

  // Mute: the track is disabled, not removed, so encrypted (silent) audio keeps flowing.
  await alice.page.evaluate(() => {
    window.sealcallDiagnostics?.engine.setMuted(true);
  });
  expect((await snapshot(alice.page)).muted).toBe(true);
  const [sentBefore, heardBefore] = [(await counters(alice.page)).encrypted.audio, (await mediaStats(bob.page)).totalSamplesReceived];
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect((await counters(alice.page)).encrypted.audio).toBeGreaterThan(sentBefore + 25);
  expect((await mediaStats(bob.page)).totalSamplesReceived).toBeGreaterThan(heardBefore + 48_000);

  for (const page of [alice.page, bob.page]) expect((await counters(page)).failed).toEqual({ audio: 0, video: 0 });
  await hangUp(bob.page);
  await waitForCallState(alice.page, 'ended');
  for (const page of [alice.page, bob.page]) expect((await localTracks(page)).every((track) => track.readyState === 'ended')).toBe(true);
});

test('the legacy createEncodedStreams path encrypts and decrypts the same way', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await Promise.all([configureEngine(alice.page, { preferLegacyTransforms: true }), configureEngine(bob.page, { preferLegacyTransforms: true })]);
  await connectCall(alice.page, bob.page, bob.userId);
  for (const page of [alice.page, bob.page]) {
    await expect.poll(() => decodedVideo(page), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(async () => Math.min((await counters(page)).decrypted.audio, (await counters(page)).decrypted.video)).toBeGreaterThan(20);
    const report = await counters(page);
    expect(report.transformApi).toBe('legacy');
    expect(report.failed).toEqual({ audio: 0, video: 0 });
  }
  await hangUp(alice.page);
});
