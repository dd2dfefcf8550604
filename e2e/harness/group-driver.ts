import { expect, type Page } from '@playwright/test';
import type { GroupDiagnosticsState, GroupEngineOptions, ProbeFrame, SealcallGroupDiagnostics } from '../../renderer/call/group/group-diagnostics';
import type { GroupEngineState, GroupMedia } from '../../renderer/call/group/group-engine-types';

/*
 * Test-only driving of group calls from inside the page, through the engine the screens use
 * (window.sealcallGroupDiagnostics.engine), and the worker's frame probe: record received frames
 * as they arrived, and try recorded frames against a worker's keys (renderer/workers/frame-recorder.ts).
 * Frames cross between pages as URL-safe base64; they are ciphertext.
 */

export type GroupCounters = ReturnType<SealcallGroupDiagnostics['counters']>;

/** The parts of the engine's own state a spec checks, as plain data. */
export interface GroupEngineSnapshot {
  encryption: GroupEngineState['encryption'];
  error: string | null;
  remote: { userId: string; connected: boolean }[];
}

export async function groupState(page: Page): Promise<GroupDiagnosticsState> {
  return page.evaluate(() => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics: the group engine did not start');
    return diagnostics.state();
  });
}

export async function engineSnapshot(page: Page): Promise<GroupEngineSnapshot> {
  return page.evaluate(() => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    const state = diagnostics.engine.getState();
    return { encryption: state.encryption, error: state.error, remote: state.remote.map((member) => ({ userId: member.userId, connected: member.connected })) };
  });
}

export async function groupCounters(page: Page): Promise<GroupCounters> {
  return page.evaluate(() => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    return diagnostics.counters();
  });
}

export async function configureGroup(page: Page, options: GroupEngineOptions): Promise<void> {
  await page.evaluate((options) => {
    window.sealcallGroupDiagnostics?.configure(options);
  }, options);
}

/** The owner starts a group call with these people, as the contact list's Start button does. */
export async function startGroup(page: Page, invitees: readonly string[], media: GroupMedia): Promise<void> {
  await page.evaluate(async ({ invitees, media }) => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    await diagnostics.engine.start([...invitees], media);
  }, { invitees, media });
}

/** Waits for the ring, then accepts it, as the ring's Accept button does. */
export async function acceptGroup(page: Page, media: GroupMedia): Promise<void> {
  await expect.poll(async () => (await groupState(page)).view?.state, { message: 'the group call rings', timeout: 60_000 }).toBe('incoming');
  await page.evaluate(async (media) => {
    await window.sealcallGroupDiagnostics?.engine.accept(media);
  }, media);
}

export async function leaveGroup(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await window.sealcallGroupDiagnostics?.engine.leave();
  });
}

/** This member's leaf index (its SFrame sender index) in the current epoch, from the view. */
export async function leafOf(page: Page, userId: string): Promise<number> {
  const index = (await groupState(page)).view?.members.find((member) => member.userId === userId)?.index;
  if (index === undefined || index === null) throw new Error(`${userId} has no leaf in this page's view`);
  return index;
}

/** Resolves once `page`'s worker has opened audio frames of every one of `senders`, more than it had in `since`. */
export async function expectDecodes(page: Page, senders: readonly string[], since: GroupCounters | undefined, what: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const counters = await groupCounters(page);
        return senders.filter((userId) => {
          const now = counters.senders.find((entry) => entry.userId === userId)?.decrypted.audio ?? 0;
          const then = since?.senders.find((entry) => entry.userId === userId)?.decrypted.audio ?? 0;
          return now <= then;
        });
      },
      { message: what, timeout: 90_000 },
    )
    .toEqual([]);
}

/** The KID's parts (docs/group-calls.md, "SFrame keys from MLS"): sender index and the epoch's low 4 bits. */
export function kidParts(kid: number): { senderIndex: number; epochBits: number } {
  return { senderIndex: kid >> 4, epochBits: kid & 0xf };
}

/**
 * Frames `page` receives from the sender with leaf `senderIndex` under `epoch`, recorded from now
 * on (batches of `batch` received frames of any sender) until at least `atLeast` match.
 */
export async function recordFrom(page: Page, senderIndex: number, epoch: number, atLeast: number, batch = 200): Promise<ProbeFrame[]> {
  const matching: ProbeFrame[] = [];
  const record = () =>
    page.evaluate((batch) => {
      window.sealcallGroupDiagnostics?.frames.record(batch);
    }, batch);
  await record();
  await expect
    .poll(
      async () => {
        const frames = await page.evaluate(async () => (await window.sealcallGroupDiagnostics?.frames.recorded()) ?? []);
        for (const frame of frames) {
          if (frame.kid === null) continue;
          const parts = kidParts(frame.kid);
          if (parts.senderIndex === senderIndex && parts.epochBits === (epoch & 0xf)) matching.push(frame);
        }
        // What was taken is gone from the worker: the next batch starts now.
        if (matching.length < atLeast) await record();
        return matching.length;
      },
      { message: `frames from leaf ${String(senderIndex)} under epoch ${String(epoch)}`, timeout: 90_000 },
    )
    .toBeGreaterThanOrEqual(atLeast);
  return matching;
}

/** How many of `frames` the worker of `page` opens with the keys it holds now (nothing is played). */
export async function tryDecrypt(page: Page, frames: readonly ProbeFrame[]): Promise<{ decrypted: number; failed: number }> {
  return page.evaluate(async (frames) => {
    const diagnostics = window.sealcallGroupDiagnostics;
    if (diagnostics === undefined) throw new Error('no window.sealcallGroupDiagnostics');
    return diagnostics.frames.tryDecrypt([...frames]);
  }, frames);
}

/** Wipes and ends a worker kept after leaving. */
export async function releaseKeptWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await window.sealcallGroupDiagnostics?.frames.release();
  });
}
