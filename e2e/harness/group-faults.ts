import { writeFileSync } from 'node:fs';
import { expect, type Page, type TestInfo } from '@playwright/test';
import type { ResponseOf } from '../../shared/ipc';
import type { GroupPeerState } from '../../renderer/call/group/group-diagnostics';
import { Company, unwrap, type CompanyUser } from './company';
import { startCoturn, type Coturn } from './coturn';
import { groupOfUsers } from './group-company';
import { acceptGroup, groupCounters, groupState, startGroup } from './group-driver';
import type { HarnessEnvironment } from './harness-environment';

/*
 * The set-up and the measures of the group-call fault specs (e2e/group-faults.spec.ts): a company
 * of three, optionally with a real coturn and one member relay-only (so that freezing coturn cuts
 * that member's media and nothing else), and what each page has decoded from each other member.
 */

const TURN_SECRET = 'group-faults-turn-secret-7d2e91';

export interface FaultGroup {
  company: Company;
  coturn: Coturn | undefined;
  users: [CompanyUser, CompanyUser, CompanyUser];
  /** Every page's console from enrollment on, one line each, for the report of a failed run. */
  consoles: string[];
}

export interface FaultGroupOptions {
  /** Extra server flags (a short `--call-grace`). */
  serverArgs?: readonly string[];
  /** A coturn on loopback, and this member set to relay-only calls through it. */
  relayOnly?: 'alice' | 'bob' | 'carol';
}

/** Alice, Bob and Carol enrolled, online and seeing each other; the server as `options` say. */
export async function openFaultGroup(harness: HarnessEnvironment, testInfo: TestInfo, options: FaultGroupOptions = {}): Promise<FaultGroup> {
  let coturn: Coturn | undefined;
  let company: Company | undefined;
  try {
    const args = [...(options.serverArgs ?? [])];
    if (options.relayOnly !== undefined) {
      coturn = await startCoturn({ secret: TURN_SECRET, dir: testInfo.outputPath('coturn') });
      // In a file, as in deployment, so that it stays out of `ps`.
      const secretFile = testInfo.outputPath('turn-secret');
      writeFileSync(secretFile, TURN_SECRET, { mode: 0o600 });
      args.push('--turn-url', coturn.url, '--turn-secret-file', secretFile);
    }
    company = await Company.open(harness, args);
    const [alice, bob, carol] = await groupOfUsers(company, 3);
    if (alice === undefined || bob === undefined || carol === undefined) throw new Error('the company has fewer than three users');
    const relayed = [alice, bob, carol].find((user) => user.userId === options.relayOnly);
    if (relayed !== undefined) {
      const set = unwrap<ResponseOf<'settings.set'>>(await relayed.host.invoke('settings.set', { relayOnly: true }));
      expect(set.values.relayOnly, `${relayed.userId} turned relay-only on`).toBe(true);
    }
    const consoles: string[] = [];
    const started = Date.now();
    for (const user of [alice, bob, carol]) {
      user.page.on('console', (message) => consoles.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${user.userId} ${message.type()}: ${message.text()}`));
    }
    return { company, coturn, users: [alice, bob, carol], consoles };
  } catch (error) {
    await company?.close();
    await coturn?.stop();
    throw error;
  }
}

export async function closeFaultGroup(group: FaultGroup, testInfo: TestInfo): Promise<void> {
  await testInfo.attach('pages-console.txt', { body: group.consoles.join('\n'), contentType: 'text/plain' });
  await testInfo.attach('server.log', { body: group.company.serverLogs(), contentType: 'text/plain' });
  await group.company.close();
  if (group.coturn !== undefined) {
    await group.coturn.stop();
    await testInfo.attach('turnserver.log', { path: group.coturn.logFile, contentType: 'text/plain' });
  }
}

/** What a page has taken in from one other member: frames its worker opened (and failed to), audio samples its receiver played. */
export interface Intake {
  opened: number;
  samples: number;
  failed: number;
}

/** This page's intake from every other member it has a sender entry or a pair for. */
export async function intakeOf(page: Page): Promise<Map<string, Intake>> {
  const [counters, stats] = await Promise.all([
    groupCounters(page),
    page.evaluate(async () => (await window.sealcallGroupDiagnostics?.stats()) ?? []),
  ]);
  const intake = new Map<string, Intake>();
  const entry = (userId: string): Intake => {
    const found = intake.get(userId) ?? { opened: 0, samples: 0, failed: 0 };
    intake.set(userId, found);
    return found;
  };
  // A member's sender entries may be several (one per leaf it had across epochs): summed.
  for (const sender of counters.senders) {
    const into = entry(sender.userId);
    into.opened += sender.decrypted.audio + sender.decrypted.video;
    into.failed += sender.failed.audio + sender.failed.video;
  }
  for (const pair of stats) {
    entry(pair.userId).samples = pair.totalSamplesReceived;
  }
  return intake;
}

/**
 * Resolves once `user`'s page has opened more frames and played more audio of each of `others`
 * than in `since` (by at least `margin` opened frames: 20 audio frames are 0.4 s).
 */
export async function expectTakesIn(user: CompanyUser, others: readonly CompanyUser[], since: Map<string, Intake>, what: string, margin = 20): Promise<void> {
  await expect
    .poll(
      async () => {
        const now = await intakeOf(user.page);
        return others
          .filter((other) => {
            const [then, current] = [since.get(other.userId), now.get(other.userId)];
            if (current === undefined) return true;
            return !(current.opened > (then?.opened ?? 0) + margin && current.samples > (then?.samples ?? 0));
          })
          .map((other) => other.userId);
      },
      { message: `${user.userId}: ${what}`, timeout: 120_000 },
    )
    .toEqual([]);
}

/** Frames of `others` that failed to open at `user` since `since`: none is the goal. */
export function failedSince(now: Map<string, Intake>, since: Map<string, Intake>, others: readonly CompanyUser[]): Record<string, number> {
  return Object.fromEntries(others.map((other) => [other.userId, (now.get(other.userId)?.failed ?? 0) - (since.get(other.userId)?.failed ?? 0)]));
}

export async function peersOf(page: Page): Promise<GroupPeerState[]> {
  return (await groupState(page)).peers;
}

export async function peerOf(page: Page, userId: string): Promise<GroupPeerState | undefined> {
  return (await peersOf(page)).find((peer) => peer.userId === userId);
}

/** The group as `user`'s page sees it: state, epoch, members in the MLS group, and the epoch its worker sends under. */
export async function groupSeenBy(user: CompanyUser): Promise<{ state: string | undefined; epoch: number; members: string[]; sendEpoch: number | null }> {
  const [state, counters] = await Promise.all([groupState(user.page), groupCounters(user.page)]);
  return {
    state: state.view?.state,
    epoch: state.view?.epoch ?? -1,
    members: (state.view?.members ?? []).filter((member) => member.index !== null).map((member) => member.userId).sort(),
    sendEpoch: counters.sendEpoch,
  };
}

/** The code the group screen shows, as the view spells it (by label: a dialog makes the rest inert). */
export async function codeOnScreen(page: Page): Promise<string> {
  return (await page.locator('ol[aria-label="Group security code"] li').allTextContents()).join(' ');
}

/**
 * Alice starts an audio call with Bob and Carol, who accept from the ring; resolves with the epoch
 * once every page is active with all three in the MLS group, every pair connected, and every page
 * taking in every other member's media.
 */
export async function callOfThree(users: FaultGroup['users']): Promise<number> {
  const [alice, bob, carol] = users;
  // Audio only: with cameras, three pages starved a loaded 2-core machine until ICE timed out.
  await startGroup(alice.page, [bob.userId, carol.userId], 'audio');
  for (const user of [bob, carol]) await acceptGroup(user.page, 'audio');
  const everyone = users.map((user) => user.userId).sort();
  for (const user of users) {
    await expect
      .poll(
        async () => {
          const seen = await groupSeenBy(user);
          const peers = await peersOf(user.page);
          return {
            state: seen.state,
            members: seen.members,
            sending: seen.sendEpoch === seen.epoch,
            peers: peers.map((peer) => `${peer.userId} ${peer.connected ? 'connected' : `ICE ${String(peer.iceState)}`}`).sort(),
          };
        },
        { message: `${user.userId} is in the call with every pair connected`, timeout: 240_000 },
      )
      .toEqual({ state: 'active', members: everyone, sending: true, peers: users.filter((other) => other !== user).map((other) => `${other.userId} connected`) });
  }
  for (const user of users) await expectTakesIn(user, users.filter((other) => other !== user), new Map(), 'decodes both others');
  const epochs = await Promise.all(users.map(async (user) => (await groupSeenBy(user)).epoch));
  expect(new Set(epochs).size, 'one epoch on every page').toBe(1);
  return epochs[0] ?? -1;
}
