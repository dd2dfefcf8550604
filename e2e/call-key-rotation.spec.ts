import { expect, test } from './fixtures';
import { E2E_CAMERA_FPS } from './harness/chromium-args';
import { configureEngine, connectCall, counters, hangUp, mediaStats, total } from './harness/call-driver';

/*
 * The sender ratchets to a new key generation (KID) on a timer; the receiver has the next
 * generation derived before it is needed. With the interval forced down from 10 minutes to 1.5 s,
 * media must decode straight through several switches, with (almost) nothing failing.
 */

const RATCHET_MS = 1500;
/** A frame or two reordered across a switch could fail; the pre-derived next key should make it 0. */
const MAX_FAILURES = 5;
/** A third of what the fake camera makes in one interval must arrive decoded after the switches. */
const MIN_FRAMES_AFTER = Math.floor(((RATCHET_MS / 1000) * E2E_CAMERA_FPS) / 3);


test('frames decode straight through key generation switches', async ({ twoUsers }) => {
  const { alice, bob } = twoUsers;
  await Promise.all([configureEngine(alice.page, { ratchetIntervalMs: RATCHET_MS }), configureEngine(bob.page, { ratchetIntervalMs: RATCHET_MS })]);
  await connectCall(alice.page, bob.page, bob.userId);

  const pages = [
    ['alice', alice.page],
    ['bob', bob.page],
  ] as const;
  const before = await Promise.all(pages.map(([, page]) => mediaStats(page)));
  // Both senders past generation 2, and both receivers following them.
  for (const [name, page] of pages) {
    await expect
      .poll(async () => {
        const report = await counters(page);
        return Math.min(report.sendGeneration, report.receiveGeneration);
      }, { message: `${name} sends and receives under generation 3 or later`, timeout: 15_000 })
      .toBeGreaterThanOrEqual(3);
  }
  const decodedAtSwitch = await Promise.all(pages.map(([, page]) => mediaStats(page)));
  // The generation each side had reached then: its key frame has had a whole interval to arrive.
  const reachedAtSwitch = await Promise.all(pages.map(([, page]) => counters(page)));
  await new Promise((resolve) => setTimeout(resolve, RATCHET_MS));
  const after = await Promise.all(pages.map(([, page]) => mediaStats(page)));

  for (const [index, [name, page]] of pages.entries()) {
    const report = await counters(page);
    const [start, middle, end, reached] = [before[index], decodedAtSwitch[index], after[index], reachedAtSwitch[index]];
    if (start === undefined || middle === undefined || end === undefined || reached === undefined) throw new Error('missing stats');
    console.log(`${name}: generations send ${report.sendGeneration} / receive ${report.receiveGeneration}; failed ${JSON.stringify(report.failed)}; +${end.framesDecoded - start.framesDecoded} video frames, ${end.keyFramesDecoded} key frames`);
    expect(total(report.failed), `${name}'s failures across the switches`).toBeLessThanOrEqual(MAX_FAILURES);
    // One key frame at the start, and one asked for at each switch. A switch during the last
    // interval may still have its key frame on the way, and on a loaded machine (CI, two workers)
    // an encoder that drops frames was seen to answer two requests with one key frame: so at least
    // one per switch but the last two, which still fails if switches ask for none.
    expect(end.keyFramesDecoded, `${name}'s key frames`).toBeGreaterThanOrEqual(reached.receiveGeneration - 1);
    expect(middle.framesDecoded, `${name} decoded video up to the switches`).toBeGreaterThan(start.framesDecoded);
    expect(end.framesDecoded - middle.framesDecoded, `${name} still decodes video after them`).toBeGreaterThan(MIN_FRAMES_AFTER);
    expect(end.totalSamplesReceived - middle.totalSamplesReceived, `${name} still decodes audio after them`).toBeGreaterThan(RATCHET_MS * 24);
  }

  await hangUp(bob.page);
});
