import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { CompanyUser } from './harness/company';
import { groupOfUsers } from './harness/group-company';
import { expectAccessible, snapBothSchemes, WINDOW_SIZE } from './screens-support';
import type { GroupDiagnosticsState, GroupMemberStats, SealcallGroupDiagnostics } from '../renderer/call/group/group-diagnostics';

/*
 * A real group call of four: real server, real cores running MLS, real WebRTC in Chromium with fake
 * camera and microphone, a full mesh of six encrypted pairs. The owner starts it from the contact
 * list and the others accept from the ring, as people do; the checks read
 * window.sealcallGroupDiagnostics (renderer/call/group/group-diagnostics.ts).
 */

type Counters = ReturnType<SealcallGroupDiagnostics['counters']>;

async function groupState(page: Page): Promise<GroupDiagnosticsState> {
  return page.evaluate(() => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics: the group engine did not start');
    return diagnostics.state();
  });
}

async function groupCounters(page: Page): Promise<Counters> {
  return page.evaluate(() => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    return diagnostics.counters();
  });
}

async function groupStats(page: Page): Promise<GroupMemberStats[]> {
  return page.evaluate(async () => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    return diagnostics.stats();
  });
}

/** The code the screen shows, as the view spells it: four groups of five digits. */
async function codeOnScreen(page: Page): Promise<string> {
  // By its label rather than its role: an open dialog makes the screen behind it inert.
  const groups = await page.locator('ol[aria-label="Group security code"] li').allTextContents();
  return groups.join(' ');
}

/** Each other member's frames, as this page's worker opened them and its receivers decoded them. */
async function decodesEveryone(user: CompanyUser, others: readonly CompanyUser[]): Promise<boolean> {
  const [counters, stats] = await Promise.all([groupCounters(user.page), groupStats(user.page)]);
  return others.every((other) => {
    const sender = counters.senders.find((entry) => entry.userId === other.userId);
    const pair = stats.find((entry) => entry.userId === other.userId);
    return (
      sender !== undefined &&
      sender.decrypted.audio > 0 &&
      sender.decrypted.video > 0 &&
      pair !== undefined &&
      pair.framesDecoded > 0 &&
      pair.totalSamplesReceived > 0
    );
  });
}

function failuresOf(counters: Counters): number {
  return counters.failed.audio + counters.failed.video;
}

// Four browsers with cameras on a shared 2-core machine: set-up alone can take minutes under load.
test.describe.configure({ timeout: 720_000 });

test('four people: the owner starts from the contact list, three accept, everyone decodes everyone; one leaves and the rest go on under a new code', async ({ company }, testInfo) => {
  const users = await groupOfUsers(company, 4);
  const [alice, bob, carol, dave] = users;
  if (alice === undefined || bob === undefined || carol === undefined || dave === undefined) throw new Error('the company has fewer than four users');
  const invited = [bob, carol, dave];
  for (const user of users) await user.page.setViewportSize(WINDOW_SIZE);

  // The owner picks three people in the contact list and starts a video call.
  const started = Date.now();
  await alice.page.getByRole('button', { name: 'New group call' }).click();
  for (const user of invited) await alice.page.getByRole('checkbox', { name: `Add ${user.displayName} to the group call` }).check();
  await alice.page.getByRole('button', { name: 'Start group video call' }).click();

  // Each invitee's ring names the owner; they accept with video.
  for (const user of invited) {
    const ring = user.page.getByRole('alertdialog');
    await expect(ring.getByRole('heading', { name: alice.displayName })).toBeVisible({ timeout: 60_000 });
    await expect(ring).toContainText('Incoming group video call');
    await ring.getByRole('button', { name: 'Accept with video' }).click();
  }

  console.log(`all three accepted ${String(Date.now() - started)} ms after Start`);
  // Everyone is in the MLS group, and every pair of the mesh is up.
  for (const user of users) {
    await expect
      .poll(
        async () => {
          const state = await groupState(user.page);
          const inGroup = state.view?.members.filter((member) => member.index !== null).length ?? 0;
          return {
            state: state.view?.state,
            inGroup,
            peers: state.peers.map((peer) => `${peer.userId} ${peer.connected ? 'connected' : `not connected (ICE ${String(peer.iceState)})`}`).sort(),
            error: await user.page.evaluate(() => window.sealcallGroupDiagnostics?.engine.getState().error ?? null),
          };
        },
        { message: `${user.userId} is connected to the three others`, timeout: 180_000 },
      )
      .toEqual({ state: 'active', inGroup: 4, peers: users.filter((other) => other !== user).map((other) => `${other.userId} connected`), error: null });
  }

  console.log(`every pair connected ${String(Date.now() - started)} ms after Start`);
  // Every member decodes every other member's audio and video: the worker's per-sender counts and each pair's receivers.
  for (const user of users) {
    const others = users.filter((other) => other !== user);
    await expect.poll(() => decodesEveryone(user, others), { message: `${user.userId} decodes everyone`, timeout: 120_000 }).toBe(true);
  }
  const allDecoding = Date.now() - started;

  // Media keeps flowing: a window later every pair has decoded more, and nothing failed within it.
  const before = await Promise.all(users.map(async (user) => ({ counters: await groupCounters(user.page), stats: await groupStats(user.page) })));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (const [index, user] of users.entries()) {
    const [counters, stats] = await Promise.all([groupCounters(user.page), groupStats(user.page)]);
    const start = before[index];
    if (start === undefined) throw new Error('missing sample');
    for (const other of users.filter((candidate) => candidate !== user)) {
      const then = start.stats.find((entry) => entry.userId === other.userId);
      const now = stats.find((entry) => entry.userId === other.userId);
      const sender = counters.senders.find((entry) => entry.userId === other.userId);
      console.log(
        `${user.userId} <- ${other.userId}: ${String(now?.framesDecoded)} video frames decoded (+${String((now?.framesDecoded ?? 0) - (then?.framesDecoded ?? 0))} in 3 s), ` +
          `${String(now?.totalSamplesReceived)} audio samples, worker decrypted ${JSON.stringify(sender?.decrypted)} failed ${JSON.stringify(sender?.failed)}`,
      );
      expect(now?.framesDecoded ?? 0, `${user.userId} decodes more of ${other.userId}'s video`).toBeGreaterThan(then?.framesDecoded ?? 0);
      expect(now?.totalSamplesReceived ?? 0, `${user.userId} plays more of ${other.userId}'s audio`).toBeGreaterThan(then?.totalSamplesReceived ?? 0);
      const thenSender = start.counters.senders.find((entry) => entry.userId === other.userId);
      expect(
        { audio: (sender?.failed.audio ?? 0) - (thenSender?.failed.audio ?? 0), video: (sender?.failed.video ?? 0) - (thenSender?.failed.video ?? 0) },
        `${user.userId}: no frame of ${other.userId}'s failed in the window`,
      ).toEqual({ audio: 0, video: 0 });
    }
    expect(counters.transformApi).toBe('script');
    // From the start of the call, set-up included: frames of an epoch this worker did not have yet
    // while members joined wait for its keys (unkeyed if they never come), frames of an epoch it
    // already dropped are stale; neither is a failure (docs/group-calls.md, "Epoch switches").
    console.log(`${user.userId}: since the call started ${String(failuresOf(counters))} failed, unkeyed ${JSON.stringify(counters.unkeyed)}, stale ${JSON.stringify(counters.stale)}, replayed ${JSON.stringify(counters.replayed)}`);
    expect(counters.failed, `${user.userId}: no frame failed to authenticate since the call started`).toEqual({ audio: 0, video: 0 });
  }
  console.log(`four members all decoding each other ${String(allDecoding)} ms after the owner clicked Start`);

  console.log(`window checked ${String(Date.now() - started)} ms after Start`);
  // One group security code on all four pages, and on all four screens.
  const codes = await Promise.all(users.map(async (user) => (await groupState(user.page)).view?.securityCode));
  const code = codes[0];
  expect(code).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
  expect(codes).toEqual([code, code, code, code]);
  for (const user of users) await expect.poll(() => codeOnScreen(user.page), { message: `${user.userId}'s screen shows the code`, timeout: 30_000 }).toBe(code);
  const epoch = (await groupState(alice.page)).view?.epoch ?? -1;

  await snapBothSchemes(alice.page, testInfo, 'group-call-owner');
  await snapBothSchemes(carol.page, testInfo, 'group-call-member');
  await expectAccessible(alice.page, 'the group call screen');

  // Dave leaves from his screen; the others go on under a new epoch with a new code.
  await dave.page.getByRole('button', { name: 'Leave call' }).click();
  await expect.poll(async () => (await groupState(dave.page)).localTracks.map((track) => track.readyState), { message: "Dave's camera and microphone stop" }).toEqual(['ended', 'ended']);
  await expect.poll(async () => (await groupCounters(dave.page)).keysWiped, { message: "Dave's keys are wiped" }).toBe(true);
  await expect.poll(async () => (await groupState(dave.page)).view?.state, { message: "Dave's own view of the call ends" }).toBe('ended');
  const rest = [alice, bob, carol];
  for (const user of rest) {
    await expect
      .poll(
        async () => {
          const state = await groupState(user.page);
          return {
            members: state.view?.members.map((member) => member.userId).sort(),
            newEpoch: (state.view?.epoch ?? -1) > epoch,
            peers: state.peers.map((peer) => peer.userId).sort(),
          };
        },
        { message: `${user.userId} goes on without Dave`, timeout: 120_000 },
      )
      .toEqual({ members: ['alice', 'bob', 'carol'], newEpoch: true, peers: rest.filter((other) => other !== user).map((other) => other.userId).sort() });
  }
  const newCodes = await Promise.all(rest.map(async (user) => (await groupState(user.page)).view?.securityCode));
  const newCode = newCodes[0];
  expect(newCode).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
  expect(newCode).not.toBe(code);
  expect(newCodes).toEqual([newCode, newCode, newCode]);
  for (const user of rest) await expect.poll(() => codeOnScreen(user.page), { message: `${user.userId}'s screen shows the new code`, timeout: 30_000 }).toBe(newCode);

  // Media goes on under the new epoch's keys.
  const after = await Promise.all(rest.map((user) => groupStats(user.page)));
  for (const [index, user] of rest.entries()) {
    const others = rest.filter((other) => other !== user);
    await expect
      .poll(
        async () => {
          const stats = await groupStats(user.page);
          return others.every((other) => (stats.find((entry) => entry.userId === other.userId)?.framesDecoded ?? 0) > (after[index]?.find((entry) => entry.userId === other.userId)?.framesDecoded ?? 0));
        },
        { message: `${user.userId} keeps decoding the others`, timeout: 30_000 },
      )
      .toBe(true);
    const counters = await groupCounters(user.page);
    expect(counters.sendEpoch, `${user.userId} sends under the new epoch`).toBeGreaterThan(epoch);
    console.log(`${user.userId}: after Dave left ${String(failuresOf(counters))} failed, unkeyed ${JSON.stringify(counters.unkeyed)}, stale ${JSON.stringify(counters.stale)}`);
    expect(counters.failed, `${user.userId}: no frame failed to authenticate across the rekey`).toEqual({ audio: 0, video: 0 });
  }

  for (const user of users) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
});
