import { expect, type Page } from '@playwright/test';
import type { GroupMemberStats } from '../../renderer/call/group/group-diagnostics';
import type { CompanyUser } from './company';
import { engineSnapshot, groupCounters, groupState, type GroupCounters } from './group-driver';

/*
 * Group calls driven the way people drive them, through the screens (buttons by role and name),
 * with the checks read from window.sealcallGroupDiagnostics (decoded frames, the worker's counts),
 * not from the DOM alone.
 */

/** The owner picks people in the contact list and starts a video call. */
export async function startFromContactList(owner: CompanyUser, invitees: readonly CompanyUser[]): Promise<void> {
  await owner.page.getByRole('button', { name: 'New group call' }).click();
  for (const user of invitees) await owner.page.getByRole('checkbox', { name: `Add ${user.displayName} to the group call` }).check();
  await owner.page.getByRole('button', { name: 'Start group video call' }).click();
}

/** The ring names the owner; the user accepts it with video. */
export async function answerRing(user: CompanyUser, owner: CompanyUser): Promise<void> {
  const ring = user.page.getByRole('alertdialog');
  await expect(ring.getByRole('heading', { name: owner.displayName })).toBeVisible({ timeout: 90_000 });
  await ring.getByRole('button', { name: 'Accept with video' }).click();
  await expect(ring).toBeHidden();
}

/** Every page of `users` is in the call with exactly them, its pair to each other one up. */
export async function expectMesh(users: readonly CompanyUser[]): Promise<void> {
  const ids = users.map((user) => user.userId).sort();
  for (const user of users) {
    await expect
      .poll(
        async () => {
          const [state, engine] = await Promise.all([groupState(user.page), engineSnapshot(user.page)]);
          return {
            state: state.view?.state,
            inGroup: state.view?.members.filter((member) => member.index !== null).map((member) => member.userId).sort(),
            // Each pair as "bob connected", or its ICE state, so that a pair that never comes up says how far it got.
            pairs: state.peers.map((peer) => (peer.connected ? `${peer.userId} connected` : `${peer.userId} not connected (ICE ${String(peer.iceState)})`)).sort(),
            error: engine.error,
          };
        },
        { message: `${user.userId} is in the call with ${ids.join(', ')}`, timeout: 240_000 },
      )
      .toEqual({ state: 'active', inGroup: ids, pairs: ids.filter((id) => id !== user.userId).map((id) => `${id} connected`), error: null });
  }
}

export async function memberStats(page: Page): Promise<GroupMemberStats[]> {
  return page.evaluate(async () => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    return diagnostics.stats();
  });
}

interface Progress {
  /** What `from`'s pair has decoded here, and what this page's worker opened of theirs. */
  framesDecoded: number;
  samples: number;
  audio: number;
  video: number;
  failed: number;
}

function progressOf(counters: GroupCounters, stats: readonly GroupMemberStats[], from: string): Progress {
  const sender = counters.senders.find((entry) => entry.userId === from);
  const pair = stats.find((entry) => entry.userId === from);
  return {
    framesDecoded: pair?.framesDecoded ?? 0,
    samples: pair?.totalSamplesReceived ?? 0,
    audio: sender?.decrypted.audio ?? 0,
    video: sender?.decrypted.video ?? 0,
    failed: (sender?.failed.audio ?? 0) + (sender?.failed.video ?? 0),
  };
}

async function progress(page: Page, from: string): Promise<Progress> {
  const [counters, stats] = await Promise.all([groupCounters(page), memberStats(page)]);
  return progressOf(counters, stats, from);
}

/**
 * From now on, every page of `users` opens (in its worker) and decodes (in its receivers) more
 * audio and video of every other one: the call's media flows under the keys they hold now.
 */
export async function expectDecodingEachOther(users: readonly CompanyUser[], what: string): Promise<void> {
  for (const user of users) {
    const others = users.filter((other) => other !== user).map((other) => other.userId);
    const since = new Map(await Promise.all(others.map(async (other) => [other, await progress(user.page, other)] as const)));
    await expect
      .poll(
        async () => {
          const [counters, stats] = await Promise.all([groupCounters(user.page), memberStats(user.page)]);
          // What has not moved yet, per other member, so that a failure says which count stalled.
          return others.flatMap((other) => {
            const now = progressOf(counters, stats, other);
            const then = since.get(other);
            if (then === undefined) return [`${other}: no first sample`];
            const stalled = (['framesDecoded', 'samples', 'audio', 'video'] as const).filter((key) => now[key] <= then[key]);
            return stalled.length === 0 ? [] : [`${other}: ${stalled.map((key) => `${key} ${String(then[key])} -> ${String(now[key])}`).join(', ')}`];
          });
        },
        { message: `${user.userId} decodes ${others.join(', ')} ${what}`, timeout: 150_000 },
      )
      .toEqual([]);
    console.log(`${user.userId} decodes ${others.join(', ')} ${what}`);
  }
}

/** The code the screen shows, as the view spells it: four groups of five digits. */
export async function codeOnScreen(page: Page): Promise<string> {
  // By its label rather than its role: an open dialog makes the screen behind it inert.
  const groups = await page.locator('ol[aria-label="Group security code"] li').allTextContents();
  return groups.join(' ');
}

/**
 * Every page of `users` is at one epoch past `after`, with one security code, the same on every
 * screen; its worker sends under that epoch. Returns the epoch and the code.
 */
export async function expectNewEpoch(users: readonly CompanyUser[], after: number): Promise<{ epoch: number; code: string }> {
  const ids = users.map((user) => user.userId).sort();
  for (const user of users) {
    await expect
      .poll(
        async () => {
          const [state, counters] = await Promise.all([groupState(user.page), groupCounters(user.page)]);
          const epoch = state.view?.epoch ?? -1;
          return {
            past: epoch > after,
            members: state.view?.members.filter((member) => member.index !== null).map((member) => member.userId).sort(),
            sending: counters.sendEpoch === epoch,
          };
        },
        { message: `${user.userId} moves past epoch ${String(after)} with ${ids.join(', ')}`, timeout: 180_000 },
      )
      .toEqual({ past: true, members: ids, sending: true });
  }
  const views = await Promise.all(users.map(async (user) => (await groupState(user.page)).view));
  const epochs = new Set(views.map((view) => view?.epoch));
  const codes = new Set(views.map((view) => view?.securityCode));
  expect(epochs.size, 'one epoch on every page').toBe(1);
  expect(codes.size, 'one code on every page').toBe(1);
  const epoch = views[0]?.epoch ?? null;
  const code = views[0]?.securityCode ?? null;
  if (epoch === null || code === null) throw new Error('no epoch or code in the view');
  expect(code).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
  for (const user of users) await expect.poll(() => codeOnScreen(user.page), { message: `${user.userId}'s screen shows the code`, timeout: 30_000 }).toBe(code);
  return { epoch, code };
}
