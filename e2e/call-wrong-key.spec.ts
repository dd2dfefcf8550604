import { expect, test } from './fixtures';
import { connectCall, counters, hangUp, mediaStats, snapshot, total } from './harness/call-driver';
import { flipReceiveKeyBit } from './harness/wrong-key';

/*
 * The negative twin of call-encrypted: Bob's page receives a receive key with one bit flipped.
 * The connection comes up (DTLS does not know about SFrame), Alice's frames reach Bob's worker,
 * and not one of them may reach his decoder: they fail to authenticate and are dropped. Bob's
 * own frames still decrypt at Alice's, which shows the failure is the key and nothing else.
 */


test("a wrong key decodes nothing: Bob's frames fail, are dropped, and he sees can't-decrypt", async ({ company }) => {
  const alice = await company.enrolledUser('alice', 'Alice Archer');
  const bob = await company.enrolledUser('bob', 'Bob Baker', { eventFilter: flipReceiveKeyBit });
  await company.seeEachOther(alice, bob);

  await connectCall(alice.page, bob.page, bob.userId);

  await expect.poll(async () => (await snapshot(bob.page)).encryption, { message: "Bob's engine says can't decrypt", timeout: 10_000 }).toBe('cant-decrypt');
  const start = await Promise.all([counters(bob.page), mediaStats(bob.page)]);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const [bobCounters, bobMedia] = await Promise.all([counters(bob.page), mediaStats(bob.page)]);
  const aliceCounters = await counters(alice.page);
  console.log(`bob: ${JSON.stringify(bobCounters)}; media ${JSON.stringify(bobMedia)}`);
  console.log(`alice: ${JSON.stringify(aliceCounters)}`);

  expect(bobCounters.decrypted, 'nothing decrypted at Bob').toEqual({ audio: 0, video: 0 });
  expect(bobCounters.failed.audio, 'audio frames failed at Bob').toBeGreaterThan(50);
  expect(bobCounters.failed.video, 'video frames failed at Bob').toBeGreaterThan(10);
  expect(total(bobCounters.failed), 'failures keep rising').toBeGreaterThan(total(start[0].failed) + 50);
  // Nothing reached the decoder: no video frame decoded, and every audio sample Bob played was
  // made up by loss concealment.
  expect(bobMedia.framesReceived, 'video frames handed on from the worker at Bob').toBe(0);
  expect(bobMedia.framesDecoded, 'video frames decoded at Bob').toBe(0);
  expect(bobMedia.totalSamplesReceived - bobMedia.concealedSamples, 'decoded (not concealed) audio at Bob').toBe(start[1].totalSamplesReceived - start[1].concealedSamples);
  // Bob still encrypts correctly with his own (intact) send key.
  expect(aliceCounters.decrypted.audio).toBeGreaterThan(50);
  expect(aliceCounters.failed).toEqual({ audio: 0, video: 0 });
  expect((await snapshot(alice.page)).encryption).toBe('encrypted');

  await hangUp(bob.page);
});
