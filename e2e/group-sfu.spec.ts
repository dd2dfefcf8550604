import type { Browser, Page } from '@playwright/test';
import { janusMissingReason, startJanus, type JanusProcess } from '../server/test-support/janus.fixture';
import type { GroupDiagnosticsState, GroupMemberStats } from '../renderer/call/group/group-diagnostics';
import { layerForTiles } from '../renderer/call/sfu/layer-choice';
import { expect, test } from './fixtures';
import { Company, type CompanyUser } from './harness/company';
import { GROUP_PEOPLE } from './harness/group-company';
import { acceptGroup, configureGroup, groupCounters, groupState, leafOf, recordFrom, releaseKeptWorker, startGroup, tryDecrypt, type GroupCounters } from './harness/group-driver';
import { HarnessEnvironment } from './harness/harness-environment';

/*
 * Group calls of the app over a real Janus (Debian's, deploy/janus/): real server, real cores
 * running MLS, real Chromium pages running the app, each member publishing one stream to Janus
 * and subscribing to every other member's, SFrame under the group's keys. The pages cannot reach
 * Janus (their origin serves only the app's files): each page's requests to Janus go through its
 * core (`group.janus`) to the seat's URL, as in the app. The server chooses the transport by the
 * call's size (`--mesh-max`), and each core asks it for its member's seat and hands it to its page:
 * nothing here stands in for either.
 */

const missing = janusMissingReason();

/**
 * Meeting sizes to run (SEALCALL_E2E_MEETING_SIZES=4,6). 4 by default: six on the shared 2-core
 * machine under load failed (a joiner's fixed wait, Janus sessions timed out unnoticed; both fixed),
 * and six is not yet shown to pass there (docs/group-calls.md, "Meetings over the SFU").
 */
const MEETING_SIZES = (process.env['SEALCALL_E2E_MEETING_SIZES'] ?? '4').split(',').map(Number).filter((size) => Number.isInteger(size) && size >= 3 && size <= 50);

// Several browsers with cameras and a Janus on a shared 2-core machine: set-up alone takes minutes.
test.describe.configure({ timeout: 900_000 });
test.skip(({ hostKind }) => hostKind === 'electron', 'needs the core in the test process (harness only)');

async function groupStats(page: Page): Promise<GroupMemberStats[]> {
  return page.evaluate(async () => (await window.sealcallGroupDiagnostics?.stats()) ?? []);
}

/** Each other member's frames, as this page's worker opened them and its SFU receivers decoded them. */
async function decoding(user: CompanyUser, others: readonly CompanyUser[]): Promise<string[]> {
  const [counters, stats] = await Promise.all([groupCounters(user.page), groupStats(user.page)]);
  return others
    .filter((other) => {
      const sender = counters.senders.find((entry) => entry.userId === other.userId);
      const member = stats.find((entry) => entry.userId === other.userId);
      return sender !== undefined && sender.decrypted.audio > 0 && sender.decrypted.video > 0 && member !== undefined && member.framesDecoded > 0;
    })
    .map((other) => other.userId)
    .sort();
}

/** Frames that did not open, with who they claimed to be from (a failure names its sender in the message). */
function failuresOf(counters: GroupCounters): { failed: number; by: string[] } {
  return {
    failed: counters.failed.audio + counters.failed.video,
    by: counters.senders.filter((entry) => entry.failed.audio + entry.failed.video > 0).map((entry) => `${entry.userId}: ${String(entry.failed.audio)} audio, ${String(entry.failed.video)} video`),
  };
}
const NONE_FAILED = { failed: 0, by: [] };

interface Meeting {
  company: Company;
  janus: JanusProcess;
  environment: HarnessEnvironment;
  users: CompanyUser[];
  /** Every page's console, stamped with seconds since the meeting opened and whose page it was. */
  consoles: string[];
}

test.describe('meetings over a real Janus SFU', () => {
  test.skip(missing !== undefined, missing ?? '');

  let meeting: Meeting | undefined;

  test.afterEach(async ({ hostKind: _hostKind }, testInfo) => {
    if (meeting === undefined) return;
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('server.log', { body: meeting.company.serverLogs() });
      await testInfo.attach('pages-console.txt', { body: meeting.consoles.join('\n'), contentType: 'text/plain' });
      await testInfo.attach('janus.log', { path: meeting.janus.logFile, contentType: 'text/plain' }).catch(() => undefined);
    }
    await meeting.company.close().catch(() => undefined);
    await meeting.environment.close().catch(() => undefined);
    await meeting.janus.stop();
    meeting = undefined;
  });

  /** A company whose server drives a real Janus and takes the SFU past `meshMax` people. */
  async function open(count: number, meshMax: number, launch: () => Promise<Browser>): Promise<Meeting> {
    const janus = await startJanus();
    const environment = new HarnessEnvironment(launch);
    // The seat's URL is what each member's core reaches (the pages cannot reach Janus at all).
    const company = await Company.open(environment, ['--janus-url', janus.apiUrl, '--janus-public-url', janus.apiUrl, '--janus-secrets-file', janus.secretsFile, '--mesh-max', String(meshMax)]);
    const users: CompanyUser[] = [];
    const opened = Date.now();
    const consoles: string[] = [];
    for (const [userId, displayName] of GROUP_PEOPLE.slice(0, count)) {
      const user = await company.enrolledUser(userId, displayName);
      user.page.on('console', (message) => consoles.push(`${((Date.now() - opened) / 1000).toFixed(1)} s ${userId} ${message.type()}: ${message.text()}`));
      users.push(user);
    }
    await company.seeEachOther(...users);
    meeting = { company, janus, environment, users, consoles };
    return meeting;
  }

  async function inCall(user: CompanyUser, members: number): Promise<void> {
    await expect
      .poll(async () => {
        const view = (await groupState(user.page)).view;
        return { state: view?.state, inGroup: view?.members.filter((member) => member.index !== null).length };
      }, { message: `${user.userId} is in the call with ${String(members)}`, timeout: 240_000 })
      .toEqual({ state: 'active', inGroup: members });
  }

  async function decodesEveryone(users: readonly CompanyUser[], what: string): Promise<void> {
    for (const user of users) {
      const others = users.filter((other) => other !== user);
      await expect.poll(() => decoding(user, others), { message: `${user.userId} decodes everyone ${what}`, timeout: 240_000 }).toEqual(others.map((other) => other.userId).sort());
    }
  }

  async function transportOf(page: Page): Promise<Pick<GroupDiagnosticsState, 'transport'> & { pairs: number }> {
    const state = await groupState(page);
    return { transport: state.transport, pairs: state.peers.length };
  }

  for (const count of MEETING_SIZES) {
    test(`${String(count)} members over the SFU decode each other; a member removed stops receiving and cannot open what follows`, async ({ playwright, launchOptions, headless }) => {
      const room = await open(count, 2, () => playwright.chromium.launch({ ...launchOptions, headless }));
      const [owner, ...invited] = room.users;
      const removed = invited.at(-1);
      if (owner === undefined || removed === undefined) throw new Error('the meeting has no owner');
      const started = Date.now();
      await configureGroup(removed.page, { keepWorkerAfterLeave: true });
      await startGroup(owner.page, invited.map((user) => user.userId), 'video');
      for (const user of invited) await acceptGroup(user.page, 'video');
      for (const user of room.users) await inCall(user, count);
      await decodesEveryone(room.users, 'through Janus');
      console.log(`${String(count)} members over the SFU: everyone decodes everyone ${String(Date.now() - started)} ms after Start`);
      for (const user of room.users) {
        expect(await transportOf(user.page)).toEqual({ transport: 'sfu', pairs: 0 });
        expect(failuresOf(await groupCounters(user.page))).toEqual(NONE_FAILED);
      }
      // Each member's grid holds everyone on one page: it asked Janus for each other's video at
      // most the simulcast layer that many tiles get (lower once it stepped down), and Janus agreed.
      for (const user of room.users) {
        const others = room.users.filter((other) => other !== user).map((other) => other.userId).sort();
        await expect
          .poll(async () => (await groupState(user.page)).sfuLayers.filter(({ layer }) => layer !== 'paused' && layer <= layerForTiles(count)).map(({ userId }) => userId).sort(), { message: `${user.userId}'s layers`, timeout: 60_000 })
          .toEqual(others);
      }

      // The owner takes the last member out: the group rekeys without them and the server takes
      // them out of the room.
      const stay = room.users.filter((user) => user !== removed);
      const epochBefore = (await groupState(owner.page)).view?.epoch ?? 0;
      await owner.page.evaluate(async (userId) => {
        await window.sealcallGroupDiagnostics?.engine.remove(userId);
      }, removed.userId);
      await expect.poll(async () => (await groupState(removed.page)).view?.state, { message: 'the removed member is out', timeout: 120_000 }).toBe('ended');
      for (const user of stay) await inCall(user, count - 1);
      const epochAfter = (await groupState(owner.page)).view?.epoch ?? 0;
      expect(epochAfter).toBeGreaterThan(epochBefore);
      // What the others send now reaches the removed member's worker only through this probe, and does not open there.
      const ownerLeaf = await leafOf(stay[1]?.page ?? owner.page, owner.userId);
      const after = await recordFrom(stay[1]?.page ?? owner.page, ownerLeaf, epochAfter, 20);
      expect(await tryDecrypt(removed.page, after)).toEqual({ decrypted: 0, failed: after.length });
      await releaseKeptWorker(removed.page);
      // The rest go on decoding each other, and nothing failed.
      const since = await Promise.all(stay.map((user) => groupCounters(user.page)));
      for (const [i, user] of stay.entries()) {
        const others = stay.filter((other) => other !== user);
        await expect
          .poll(async () => {
            const counters = await groupCounters(user.page);
            return others.filter((other) => (counters.senders.find((entry) => entry.userId === other.userId)?.decrypted.video ?? 0) <= (since[i]?.senders.find((entry) => entry.userId === other.userId)?.decrypted.video ?? 0)).map((other) => other.userId);
          }, { message: `${user.userId} still decodes the others`, timeout: 120_000 })
          .toEqual([]);
        expect(failuresOf(await groupCounters(user.page))).toEqual(NONE_FAILED);
        // The removed member's stream is gone from the page.
        expect((await user.page.evaluate(() => window.sealcallGroupDiagnostics?.engine.getState().remote.map((member) => member.userId))) ?? []).not.toContain(removed.userId);
      }
    });
  }

  test('a call that grows past the mesh moves to the SFU without anyone doing anything, and keeps decoding', async ({ playwright, launchOptions, headless }) => {
    const room = await open(4, 3, () => playwright.chromium.launch({ ...launchOptions, headless }));
    const [owner, first, second, late] = room.users;
    if (owner === undefined || first === undefined || second === undefined || late === undefined) throw new Error('four users');
    const mesh = [owner, first, second];
    await startGroup(owner.page, [first.userId, second.userId], 'video');
    for (const user of [first, second]) await acceptGroup(user.page, 'video');
    for (const user of mesh) await inCall(user, 3);
    await decodesEveryone(mesh, 'over the mesh');
    for (const user of mesh) expect(await transportOf(user.page)).toEqual({ transport: 'mesh', pairs: 2 });

    // The server says 'sfu' once the call grows past three (--mesh-max 3).
    await owner.page.evaluate(async (userId) => {
      await window.sealcallGroupDiagnostics?.engine.invite([userId]);
    }, late.userId);
    await acceptGroup(late.page, 'video');
    for (const user of room.users) await inCall(user, 4);
    await decodesEveryone(room.users, 'after the move to the SFU');
    for (const user of room.users) {
      await expect.poll(() => transportOf(user.page), { message: `${user.userId} moved to the SFU`, timeout: 120_000 }).toEqual({ transport: 'sfu', pairs: 0 });
      expect(failuresOf(await groupCounters(user.page))).toEqual(NONE_FAILED);
    }
    for (const user of mesh) {
      const times = (await groupState(user.page)).switchTimes;
      console.log(`${user.userId}: the pairs closed ${String(Math.round((times?.pairsClosed ?? 0) - (times?.sfuOpened ?? 0)))} ms after the SFU session opened (media from the pairs until then)`);
    }
  });
});
