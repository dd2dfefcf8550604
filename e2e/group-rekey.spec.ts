import { expect, test } from './fixtures';
import { groupOfUsers } from './harness/group-company';
import {
  acceptGroup,
  configureGroup,
  expectDecodes,
  groupCounters,
  groupState,
  leafOf,
  leaveGroup,
  recordFrom,
  releaseKeptWorker,
  startGroup,
  tryDecrypt,
} from './harness/group-driver';
import { expectNewEpoch } from './harness/group-ui';

/*
 * Forward and backward secrecy of a group call, shown on real frames: a real server, real cores
 * running MLS, real WebRTC in Chromium (audio only: five pages share two cores). Frames are
 * recorded at Alice's worker as they arrived (ciphertext) and handed to another member's worker,
 * which tries them with the keys it holds (renderer/workers/frame-recorder.ts).
 * - Leave: Dave leaves; his worker is kept with his last keys. Bob's frames after the commit do
 *   not open there; Bob's frames from before it do (the twin: the check can tell).
 * - Join: Erin joins; Bob's frames from before her join do not open in her worker, and everyone
 *   decodes her.
 */

const FRAMES = 20;

// Five pages (audio only) and five enrollments on a shared 2-core machine: set-up alone took minutes.
test.describe.configure({ timeout: 600_000 });

test('a leaver cannot open what is sent after it left, a joiner cannot open what was sent before it joined', async ({ company }) => {
  const users = await groupOfUsers(company, 5);
  const [alice, bob, carol, dave, erin] = users;
  if (alice === undefined || bob === undefined || carol === undefined || dave === undefined || erin === undefined) throw new Error('the company has fewer than five users');
  const four = [alice, bob, carol, dave];
  await configureGroup(dave.page, { keepWorkerAfterLeave: true });

  // Four in the call; Erin is rung too and answers later.
  await startGroup(alice.page, ['bob', 'carol', 'dave', 'erin'], 'audio');
  for (const user of [bob, carol, dave]) await acceptGroup(user.page, 'audio');
  const first = (await expectNewEpoch(four, 0)).epoch;
  for (const user of four) {
    await expectDecodes(user.page, four.filter((other) => other !== user).map((other) => other.userId), undefined, `${user.userId} decodes the three others`);
  }

  // Bob's frames under this epoch, as they reached Alice.
  const bobsLeaf = await leafOf(alice.page, 'bob');
  const beforeLeave = await recordFrom(alice.page, bobsLeaf, first, FRAMES);

  // Dave leaves; his worker stays, with the keys of the epoch he left in.
  await leaveGroup(dave.page);
  await expect
    .poll(async () => (await groupState(dave.page)).localTracks.every((track) => track.readyState === 'ended'), { message: "Dave's microphone stops", timeout: 60_000 })
    .toBe(true);
  await expect.poll(async () => (await groupState(dave.page)).view?.state, { message: "Dave's own view of the call ends", timeout: 60_000 }).toBe('ended');
  const kept = await groupCounters(dave.page);
  expect(kept.keysWiped, "Dave's worker was kept with its keys").toBe(false);
  expect(kept.epochsHeld).toContain(first);
  const three = [alice, bob, carol];
  const second = (await expectNewEpoch(three, first)).epoch;
  const afterLeave = await recordFrom(alice.page, await leafOf(alice.page, 'bob'), second, FRAMES);

  // Forward secrecy: nothing Bob sent after the commit opens with Dave's last keys...
  const leaverAfter = await tryDecrypt(dave.page, afterLeave);
  console.log(`Dave's kept worker (epoch ${String(first)}) on ${String(afterLeave.length)} frames of epoch ${String(second)}: ${JSON.stringify(leaverAfter)}`);
  expect(leaverAfter).toEqual({ decrypted: 0, failed: afterLeave.length });
  // ...while what Bob sent before it does: the worker and the frames are fit for the check.
  const leaverBefore = await tryDecrypt(dave.page, beforeLeave);
  console.log(`Dave's kept worker on ${String(beforeLeave.length)} frames of epoch ${String(first)}: ${JSON.stringify(leaverBefore)}`);
  expect(leaverBefore).toEqual({ decrypted: beforeLeave.length, failed: 0 });

  // The three still decode each other under the new epoch.
  for (const user of three) {
    const since = await groupCounters(user.page);
    await expectDecodes(user.page, three.filter((other) => other !== user).map((other) => other.userId), since, `${user.userId} still decodes the two others`);
  }
  await releaseKeptWorker(dave.page);

  // Erin joins.
  await acceptGroup(erin.page, 'audio');
  const withErin = [alice, bob, carol, erin];
  const third = (await expectNewEpoch(withErin, second)).epoch;
  // Backward secrecy: what Bob sent before she joined does not open in her worker...
  const joinerBefore = await tryDecrypt(erin.page, afterLeave);
  console.log(`Erin's worker (epoch ${String(third)}) on ${String(afterLeave.length)} frames of epoch ${String(second)}: ${JSON.stringify(joinerBefore)}`);
  expect(joinerBefore).toEqual({ decrypted: 0, failed: afterLeave.length });
  // ...while what he sends now does.
  const afterJoin = await recordFrom(alice.page, await leafOf(alice.page, 'bob'), third, FRAMES);
  expect(await tryDecrypt(erin.page, afterJoin)).toEqual({ decrypted: afterJoin.length, failed: 0 });

  // Everyone decodes Erin, and she decodes everyone.
  for (const user of withErin) {
    const since = await groupCounters(user.page);
    await expectDecodes(user.page, withErin.filter((other) => other !== user).map((other) => other.userId), since, `${user.userId} decodes the others with Erin in`);
  }
  for (const user of users) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
});
