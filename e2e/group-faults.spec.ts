import { expect, test } from './fixtures';
import { connectionOf } from './harness/call-survives';
import { coturnMissingReason } from './harness/coturn';
import {
  callOfThree,
  closeFaultGroup,
  codeOnScreen,
  expectTakesIn,
  failedSince,
  groupSeenBy,
  intakeOf,
  openFaultGroup,
  peerOf,
  peersOf,
  type FaultGroup,
  type Intake,
} from './harness/group-faults';
import type { CompanyUser } from './harness/company';
import { groupState, leaveGroup } from './harness/group-driver';

/*
 * A group call lives through faults: a member's network drops, a member's app dies, the server
 * restarts. Three members are enough for each: every fault touches one member's pairs (two of
 * the three) while one pair stays clear of it, and three audio-only pages keep a loaded 2-core
 * machine able to finish. Real server process, real cores running MLS, real WebRTC in Chromium, real
 * coturn; the checks read window.sealcallGroupDiagnostics (renderer/call/group/group-diagnostics.ts).
 */

// Three pages and three enrollments on a shared 2-core machine: set-up alone can take minutes.
test.describe.configure({ timeout: 600_000 });

test.beforeEach(({ hostKind }, testInfo) => {
  testInfo.skip(hostKind === 'electron', 'needs the core and the server process in the test process (harness only)');
});

const others = (users: readonly CompanyUser[], user: CompanyUser) => users.filter((other) => other !== user);

/** Every page's intake now, in the order of `users`. */
const intakes = (users: readonly CompanyUser[]): Promise<Map<string, Intake>[]> => Promise.all(users.map((user) => intakeOf(user.page)));

/** Each of `users` takes in more from each other one than in `since`, then nothing failed to open since `settled`. */
async function expectAllDecodeEachOther(users: readonly CompanyUser[], since: Map<string, Intake>[], what: string): Promise<void> {
  for (const [index, user] of users.entries()) await expectTakesIn(user, others(users, user), since[index] ?? new Map<string, Intake>(), what);
}

test('a member’s network drops past ICE’s disconnect: each of its pairs recovers by its own ICE restart, on the same epoch, and everyone decodes everyone again', async ({ harness }, testInfo) => {
  const missing = coturnMissingReason();
  testInfo.skip(missing !== undefined, missing);
  // Carol's media goes only through coturn: freezing it (SIGSTOP) cuts her media path, and only
  // hers, while every link to the server stays up, as when a laptop's Wi-Fi stalls.
  const group: FaultGroup = await openFaultGroup(harness, testInfo, { relayOnly: 'carol' });
  let thaw: (() => void) | undefined;
  try {
    const { users, coturn } = group;
    const [alice, bob, carol] = users;
    if (coturn === undefined) throw new Error('no coturn');
    const epoch = await callOfThree(users);

    process.kill(coturn.pid, 'SIGSTOP');
    thaw = () => {
      process.kill(coturn.pid, 'SIGCONT');
      thaw = undefined;
    };
    // Both of Carol's pairs go down, and the offering side of each (Alice, Bob: the lower user id
    // offers) starts an ICE restart while the path is still cut.
    for (const user of [alice, bob]) {
      await expect
        .poll(async () => (await peerOf(user.page, 'carol'))?.iceState, { message: `${user.userId}'s pair with Carol goes down`, timeout: 60_000 })
        .toMatch(/disconnected|failed|checking/);
      await expect
        .poll(async () => (await peerOf(user.page, 'carol'))?.iceRestarts ?? 0, { message: `${user.userId} restarts ICE with Carol while her network is down`, timeout: 60_000 })
        .toBeGreaterThan(0);
    }
    // The pair that does not touch Carol never noticed.
    const aliceBob = await peerOf(alice.page, 'bob');
    expect({ connected: aliceBob?.connected, restarts: aliceBob?.iceRestarts }, 'Alice and Bob, whose pair does not go through coturn').toEqual({ connected: true, restarts: 0 });
    const during = await intakes(users);
    await expectTakesIn(alice, [bob], during[0] ?? new Map<string, Intake>(), 'decodes Bob while Carol is cut off');
    await expectTakesIn(bob, [alice], during[1] ?? new Map<string, Intake>(), 'decodes Alice while Carol is cut off');
    thaw();

    // Every pair is up again, the two of Carol's as the same peer connections that restarted ICE
    // (a pair lost and opened anew would count its restarts from 0).
    for (const user of users) {
      await expect
        .poll(async () => (await peersOf(user.page)).map((peer) => `${peer.userId} ${peer.connected && /connected|completed/.test(peer.iceState ?? '') ? 'up' : `ICE ${String(peer.iceState)}`}`).sort(), {
          message: `${user.userId}'s pairs are up again`,
          timeout: 90_000,
        })
        .toEqual(others(users, user).map((other) => `${other.userId} up`));
    }
    const restarts = await Promise.all([alice, bob].map(async (user) => (await peerOf(user.page, 'carol'))?.iceRestarts ?? 0));
    console.log(`ICE restarts with Carol: Alice ${String(restarts[0])}, Bob ${String(restarts[1])}`);
    for (const [index, user] of [alice, bob].entries()) expect(restarts[index], `${user.userId}'s pair with Carol recovered by ICE restart`).toBeGreaterThan(0);
    // The answering side restarts nothing: one restart per pair, by its offerer.
    for (const peer of await peersOf(carol.page)) expect(peer.iceRestarts, `Carol's pair with ${peer.userId}`).toBe(0);

    await expectAllDecodeEachOther(users, await intakes(users), 'decodes both others again');
    // Settled: a window in which everyone takes in more of everyone, and nothing fails to open.
    const settled = await intakes(users);
    await expectAllDecodeEachOther(users, settled, 'keeps decoding both others');
    for (const [index, user] of users.entries()) {
      expect(failedSince(await intakeOf(user.page), settled[index] ?? new Map<string, Intake>(), others(users, user)), `${user.userId}: frames that failed to open after recovery`).toEqual({
        ...Object.fromEntries(others(users, user).map((other) => [other.userId, 0])),
      });
      // A blip of the media path is not a membership change: no rekey.
      expect(await groupSeenBy(user), `${user.userId} is on the same epoch with the same members`).toEqual({ state: 'active', epoch, members: ['alice', 'bob', 'carol'], sendEpoch: epoch });
    }
    for (const user of users) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
  } finally {
    thaw?.();
    await closeFaultGroup(group, testInfo);
  }
});

test('a member’s app dies: the others keep decoding each other, and after the server’s grace it is removed and the group rekeys', async ({ harness }, testInfo) => {
  // The grace (--call-grace) short, so that the removal comes within the test.
  const group = await openFaultGroup(harness, testInfo, { serverArgs: ['--call-grace', '4s'] });
  try {
    const { users } = group;
    const [alice, bob, carol] = users;
    const epoch = await callOfThree(users);
    const code = (await groupState(alice.page)).view?.securityCode;
    expect(code).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    const survivors = [alice, bob];

    // Carol's app dies: its core goes without a word (no group.leave: the server sees its socket
    // close), and its page goes with the call's peer connections and keys.
    const before = await intakes(survivors);
    await carol.host.close();
    await carol.context.close();
    await expectAllDecodeEachOther(survivors, before, 'keeps decoding the other survivor after Carol died');

    // After the grace the server takes Carol out; the survivors commit her removal: a new epoch,
    // a new code, and a notice.
    for (const user of survivors) {
      await expect
        .poll(async () => {
          const seen = await groupSeenBy(user);
          return { state: seen.state, members: seen.members, newEpoch: seen.epoch > epoch, sending: seen.sendEpoch === seen.epoch, peers: (await peersOf(user.page)).map((peer) => peer.userId) };
        }, { message: `${user.userId} goes on without Carol`, timeout: 120_000 })
        .toEqual({ state: 'active', members: ['alice', 'bob'], newEpoch: true, sending: true, peers: others(survivors, user).map((other) => other.userId) });
    }
    const codes = await Promise.all(survivors.map(async (user) => (await groupState(user.page)).view?.securityCode));
    const newCode = codes[0];
    expect(newCode).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect(newCode, 'a new code after the rekey').not.toBe(code);
    expect(codes).toEqual([newCode, newCode]);
    for (const user of survivors) {
      await expect.poll(() => codeOnScreen(user.page), { message: `${user.userId}'s screen shows the new code`, timeout: 30_000 }).toBe(newCode);
      await expect(user.page.getByRole('status').filter({ hasText: /Carol.* left/ }), `${user.userId} is told Carol left`).toBeVisible();
    }

    // Media goes on under the new epoch's keys, and nothing fails to open once settled.
    await expectAllDecodeEachOther(survivors, await intakes(survivors), 'decodes the other survivor under the new epoch');
    const settled = await intakes(survivors);
    await expectAllDecodeEachOther(survivors, settled, 'keeps decoding the other survivor');
    for (const [index, user] of survivors.entries()) {
      expect(failedSince(await intakeOf(user.page), settled[index] ?? new Map<string, Intake>(), others(survivors, user)), `${user.userId}: frames that failed to open once settled`).toEqual(
        Object.fromEntries(others(survivors, user).map((other) => [other.userId, 0])),
      );
    }
    for (const user of survivors) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
  } finally {
    await closeFaultGroup(group, testInfo);
  }
});

test('the server restarts mid-call: media flows between all three the whole time and after it, and a leave after it still rekeys', async ({ harness }, testInfo) => {
  // The deployed grace (20 s), not the harness's 1 s: a restarted server gives every member one
  // grace to come back in, and an app retries every 2 s at most, so with 1 s the last member to
  // reconnect was dropped from the call (as it should be) and the spec failed in CI.
  const group = await openFaultGroup(harness, testInfo, { serverArgs: ['--call-grace', '20s'] });
  try {
    const { users, company } = group;
    const epoch = await callOfThree(users);

    await company.server.stop('SIGKILL');
    for (const user of users) await expect.poll(() => connectionOf(user), { message: `${user.userId} sees the server gone` }).toBe('offline');
    // While it is down, every page keeps taking in every other member's media.
    await expectAllDecodeEachOther(users, await intakes(users), 'decodes both others while the server is down');
    for (const user of users) expect(await connectionOf(user), `${user.userId} is still offline: the server is still down`).toBe('offline');

    await company.restartServer();
    for (const user of users) await expect.poll(() => connectionOf(user), { message: `${user.userId} is back on the restarted server`, timeout: 30_000 }).toBe('online');
    const settled = await intakes(users);
    await expectAllDecodeEachOther(users, settled, 'decodes both others after the server came back');
    for (const [index, user] of users.entries()) {
      expect(failedSince(await intakeOf(user.page), settled[index] ?? new Map<string, Intake>(), others(users, user)), `${user.userId}: frames that failed to open`).toEqual(
        Object.fromEntries(others(users, user).map((other) => [other.userId, 0])),
      );
      expect(await groupSeenBy(user), `${user.userId} is on the same epoch with the same members`).toEqual({ state: 'active', epoch, members: ['alice', 'bob', 'carol'], sendEpoch: epoch });
    }

    // The restarted server still knows the group (it kept it in its SQLite file): Carol's leave
    // reaches the others, and they rekey without her.
    const [alice, bob, carol] = users;
    await leaveGroup(carol.page);
    const survivors = [alice, bob];
    for (const user of survivors) {
      await expect
        .poll(async () => {
          const seen = await groupSeenBy(user);
          return { state: seen.state, members: seen.members, newEpoch: seen.epoch > epoch, sending: seen.sendEpoch === seen.epoch };
        }, { message: `${user.userId} goes on without Carol after the restart`, timeout: 120_000 })
        .toEqual({ state: 'active', members: ['alice', 'bob'], newEpoch: true, sending: true });
    }
    await expectAllDecodeEachOther(survivors, await intakes(survivors), 'decodes the other survivor under the new epoch');
    for (const user of users) expect(user.problems(), `${user.userId}'s page: console errors, CSP violations`).toEqual([]);
  } finally {
    await closeFaultGroup(group, testInfo);
  }
});
