/**
 * Node's side of the call benchmarks: places, waits for and ends a Sealcall call or a floor call
 * between two pages that run bench/call-timeline.ts. Waiting is polling from Node; every time
 * quoted comes from the pages' own clocks, so the polling adds nothing to a figure.
 */
import type { Page } from '@playwright/test';
import { openBenchCompany, type BenchCompany } from './bench-browser';
import {
  armFloorPage,
  armSealcallPage,
  disarmPage,
  placeFloorCall,
  placeSealcallCall,
  readMarks,
  sealcallCallState,
  deliverFloorMessage,
  installCallTimeline,
  type FloorMessage,
  type Mark,
  type PassThrough,
} from './call-timeline';

const CALL_TIMEOUT_MS = 30_000;
/** The worker's counters reach the page every 500 ms (frame-crypto.worker.ts); some headroom on a loaded machine. */
const REPORT_LAG_MS = 3000;

export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

export interface CallMarks {
  caller: Mark[];
  callee: Mark[];
}

async function waitForMark(page: Page, name: string): Promise<Mark[]> {
  const deadline = Date.now() + CALL_TIMEOUT_MS;
  for (;;) {
    const marks = await page.evaluate(readMarks);
    if (marks.some((mark) => mark.name === name)) return marks;
    if (Date.now() > deadline) throw new Error(`no '${name}' within ${CALL_TIMEOUT_MS} ms; marks: ${marks.map((mark) => mark.name).join(', ')}`);
    await sleep(50);
  }
}

async function waitForCallState(page: Page, wanted: readonly string[]): Promise<void> {
  const deadline = Date.now() + CALL_TIMEOUT_MS;
  while (!wanted.includes(await page.evaluate(sealcallCallState))) {
    if (Date.now() > deadline) throw new Error(`the call did not reach ${wanted.join(' or ')}`);
    await sleep(50);
  }
}

/** Alice calls Bob, who answers at once; resolves at Alice's first decrypted remote frame. */
export async function connectSealcall(alice: Page, bob: Page, calleeId: string): Promise<CallMarks> {
  await Promise.all([alice.evaluate(armSealcallPage, 'caller' as const), bob.evaluate(armSealcallPage, 'callee' as const)]);
  await alice.evaluate(placeSealcallCall, calleeId);
  const caller = await waitForMark(alice, 'first-frame').catch(async (error: unknown) => {
    const callee = (await bob.evaluate(readMarks)).map((mark) => mark.name).join(', ');
    const problem = await bob.evaluate(() => window.sealcallDiagnostics?.engine.getState().error ?? 'none');
    throw new Error(`${String(error)}; the callee's marks: ${callee}; its error: ${problem}`);
  });
  const callee = await bob.evaluate(readMarks);
  // The frames on screen went through the worker: decrypted, not passed in the clear. The worker
  // reports its counts every half second, so the count may lag the first frame a little.
  const deadline = Date.now() + REPORT_LAG_MS;
  while ((await alice.evaluate(() => window.sealcallDiagnostics?.counters().decrypted.video ?? 0)) === 0) {
    if (Date.now() > deadline) throw new Error('remote frames were decoded without going through the decrypting worker');
    await sleep(50);
  }
  return { caller, callee };
}

/** Ends the call; `bothSides` also hangs up Bob, for a call that never connected. */
export async function hangUpSealcall(alice: Page, bob: Page, bothSides = false): Promise<void> {
  await alice.evaluate(() => window.sealcallDiagnostics?.engine.hangup());
  if (bothSides) await bob.evaluate(() => window.sealcallDiagnostics?.engine.hangup());
  await Promise.all([waitForCallState(alice, ['ended', 'none']), waitForCallState(bob, ['ended', 'none'])]);
  await Promise.all([alice.evaluate(disarmPage), bob.evaluate(disarmPage)]);
}

/** The bare floor call between the two floor pages; resolves at the caller's first remote frame. */
export async function connectFloor(caller: Page, callee: Page, passThrough?: PassThrough): Promise<CallMarks> {
  await Promise.all([caller.evaluate(armFloorPage, { role: 'caller' as const, passThrough }), callee.evaluate(armFloorPage, { role: 'callee' as const, passThrough })]);
  await caller.evaluate(placeFloorCall);
  const callerMarks = await waitForMark(caller, 'first-frame');
  return { caller: callerMarks, callee: await callee.evaluate(readMarks) };
}

export async function hangUpFloor(caller: Page, callee: Page): Promise<void> {
  await Promise.all([caller.evaluate(disarmPage), callee.evaluate(disarmPage)]);
}

export interface CallPages {
  readonly company: BenchCompany;
  /** Two bare pages of the renderer's origin, each in its own context, for the floor calls. */
  readonly floorCaller: Page;
  readonly floorCallee: Page;
  close(): Promise<void>;
}

/** Alice and Bob, and the floor's two pages, each with the call timeline installed. */
export async function openCallPages(): Promise<CallPages> {
  const company = await openBenchCompany();
  try {
    const [caller, callee] = [await company.openBarePage(), await company.openBarePage()];
    // Node relays the floor's signalling, as the harness relays Sealcall's through the core and server.
    await caller.page.exposeFunction('__benchFloorSend', (message: FloorMessage) => callee.page.evaluate(deliverFloorMessage, message));
    await callee.page.exposeFunction('__benchFloorSend', (message: FloorMessage) => caller.page.evaluate(deliverFloorMessage, message));
    for (const page of [company.alice.page, company.bob.page, caller.page, callee.page]) await page.evaluate(installCallTimeline);
    return {
      company,
      floorCaller: caller.page,
      floorCallee: callee.page,
      async close() {
        await Promise.all([caller.close(), callee.close()]);
        await company.close();
      },
    };
  } catch (error) {
    await company.close();
    throw error;
  }
}
