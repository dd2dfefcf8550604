/**
 * The group half of the E2EE CPU benchmark: one member's renderer CPU in a 4-person Sealcall group
 * call (a full mesh of six encrypted pairs) against a bare 4-page mesh and the same mesh through
 * encoded transforms with no JS per frame, interleaved round by round in one browser.
 */
import type { CDPSession, Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/harness/chromium-args';
import { Company, type CompanyUser } from '../e2e/harness/company';
import { groupOfUsers } from '../e2e/harness/group-company';
import { HarnessEnvironment } from '../e2e/harness/harness-environment';
import { chromium, type Browser } from '@playwright/test';
import { allowTsxFunctions, QUICK } from './bench-browser';
import { sleep } from './bench-calls';
import { cpuVerdict, markdownTable, median } from './bench-stats';
import { installCallTimeline, sentVideo } from './call-timeline';
import { deliverMeshMessage, joinMesh, leaveMesh, meshFramesDecoded, offerMesh, type MeshMessage } from './e2ee-cpu-mesh';
import { measureWindow, percent, type CpuWindow } from './e2ee-cpu-window';

export const GROUP_SIZE = 4;
const ROUNDS = QUICK ? 1 : Number(process.env['E2EE_CPU_GROUP_ROUNDS'] ?? 2);
/** Set-up of four pages with cameras on a loaded 2-core machine takes minutes at worst. */
const SETUP_TIMEOUT_MS = 240_000;
const WORKER_THREAD = 'DedicatedWorker';

type GroupVariant = 'mesh' | 'native' | 'sealcall';

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SETUP_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${String(SETUP_TIMEOUT_MS)} ms`);
    await sleep(250);
  }
}

/** The members' and the floor pages' set-up, and one call of each variant. */
class GroupRig {
  private constructor(
    readonly browser: Browser,
    readonly harness: HarnessEnvironment,
    readonly company: Company,
    readonly users: CompanyUser[],
    readonly bare: { page: Page; close(): Promise<void> }[],
  ) {}

  static async open(): Promise<GroupRig> {
    let launched: Browser | undefined;
    const harness = new HarnessEnvironment(async () => {
      launched = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
      return launched;
    });
    const company = await Company.open(harness);
    try {
      const users = await groupOfUsers(company, GROUP_SIZE);
      const bare: { page: Page; close(): Promise<void> }[] = [];
      for (let index = 0; index < GROUP_SIZE; index++) bare.push(await harness.openBarePage());
      for (const page of [...users.map((user) => user.page), ...bare.map((entry) => entry.page)]) {
        await allowTsxFunctions(page);
        await page.evaluate(installCallTimeline);
      }
      // Node relays the floor mesh's signalling, as the server relays the app's.
      for (const entry of bare) {
        await entry.page.exposeFunction('__benchMeshSend', (message: MeshMessage) => bare[message.to]?.page.evaluate(deliverMeshMessage, message));
      }
      if (launched === undefined) throw new Error('the harness opened users without launching a browser');
      return new GroupRig(launched, harness, company, users, bare);
    } catch (error) {
      await company.close().catch(() => undefined);
      await harness.close();
      throw error;
    }
  }

  async mesh(cdp: CDPSession, native: boolean): Promise<CpuWindow> {
    const pages = this.bare.map((entry) => entry.page);
    for (const [self, page] of pages.entries()) await page.evaluate(joinMesh, { self, size: GROUP_SIZE, native });
    for (const page of pages) await page.evaluate(offerMesh);
    for (const page of pages) {
      await waitUntil('every mesh page decodes its three others', async () => {
        const decoded = await page.evaluate(meshFramesDecoded);
        return decoded.length === GROUP_SIZE - 1 && decoded.every((frames) => frames > 0);
      });
    }
    const first = pages[0];
    if (first === undefined) throw new Error('no mesh pages');
    const measured = await measureWindow(cdp, () => first.evaluate(sentVideo));
    for (const page of pages) await page.evaluate(leaveMesh);
    return measured;
  }

  async sealcall(cdp: CDPSession): Promise<CpuWindow> {
    const [owner, ...invited] = this.users;
    if (owner === undefined) throw new Error('no group owner');
    await owner.page.evaluate(async (ids) => window.sealcallGroupDiagnostics?.engine.start(ids, 'video'), invited.map((user) => user.userId));
    for (const user of invited) {
      await waitUntil(`${user.userId} rings`, async () => (await user.page.evaluate(() => window.sealcallGroupDiagnostics?.state().view?.state)) === 'incoming');
      await user.page.evaluate(async () => window.sealcallGroupDiagnostics?.engine.accept('video'));
    }
    for (const user of this.users) {
      const others = this.users.filter((other) => other !== user).map((other) => other.userId);
      await waitUntil(`${user.userId} decrypts every other member's video`, async () => {
        const counters = await user.page.evaluate(() => window.sealcallGroupDiagnostics?.counters());
        return others.every((id) => (counters?.senders.find((entry) => entry.userId === id)?.decrypted.video ?? 0) > 0);
      });
    }
    const measured = await measureWindow(cdp, () => owner.page.evaluate(sentVideo));
    for (const user of [...invited, owner]) await user.page.evaluate(async () => window.sealcallGroupDiagnostics?.engine.leave());
    for (const user of this.users) {
      await waitUntil(`${user.userId} is out of the call`, async () => {
        const state = await user.page.evaluate(() => window.sealcallGroupDiagnostics?.state().view?.state ?? 'none');
        return state === 'none' || state === 'ended';
      });
    }
    return measured;
  }

  async close(): Promise<void> {
    await Promise.all(this.bare.map((entry) => entry.close()));
    await this.company.close();
    await this.harness.close();
  }
}

export async function runGroupCpu(): Promise<string> {
  const rig = await GroupRig.open();
  try {
    const cdp = await rig.browser.newBrowserCDPSession();
    const runs: Record<GroupVariant, () => Promise<CpuWindow>> = {
      mesh: () => rig.mesh(cdp, false),
      native: () => rig.mesh(cdp, true),
      sealcall: () => rig.sealcall(cdp),
    };
    const order: GroupVariant[] = ['mesh', 'native', 'sealcall'];
    const windows: Record<GroupVariant, CpuWindow[]> = { mesh: [], native: [], sealcall: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (let step = 0; step < order.length; step++) {
        const name = order[(round + step) % order.length];
        if (name === undefined) continue;
        const measured = await runs[name]();
        windows[name].push(measured);
        console.log(`e2ee-cpu group: round ${String(round + 1)} ${name}: renderers ${percent(measured.renderers)}, ${measured.fps.toFixed(1)} fps, load ${measured.load.toFixed(1)}`);
      }
    }
    await cdp.detach();
    return report(windows);
  } finally {
    await rig.close();
  }
}

function report(windows: Record<GroupVariant, CpuWindow[]>): string {
  const member = (name: GroupVariant) => median(windows[name].map((window) => window.renderers)) / GROUP_SIZE;
  const worker = (name: GroupVariant) => median(windows[name].map((window) => window.threads.get(WORKER_THREAD) ?? 0)) / GROUP_SIZE;
  const ratio = (name: GroupVariant, to: GroupVariant) => median(windows[name].map((window, round) => window.renderers / (windows[to][round]?.renderers ?? Number.NaN)));
  const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(3)}×` : 'n/a');
  const loads = Object.values(windows)
    .flat()
    .map((window) => window.load);
  const labels: Record<GroupVariant, string> = {
    mesh: 'bare 4-page mesh, no transforms',
    native: 'the mesh through transforms with no JS per frame: **the floor**',
    sealcall: "Sealcall's group call (six SFrame pairs, MLS keys, the group screen)",
  };
  const sealcallRatio = ratio('sealcall', 'native');
  const fpsOf = (name: GroupVariant) => median(windows[name].map((window) => window.fps));
  return [
    `**One member of a 4-person group call.** The same accounting over four members' pages in one browser, divided ` +
      `by four: each member sends its camera and microphone to three others over three peer connections and shows ` +
      `three tiles and its own preview. ${String(ROUNDS)} round${ROUNDS > 1 ? 's' : ''} of the three calls in a ` +
      `rotating order; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}.`,
    '',
    markdownTable(
      ['call', 'one member, renderers', '× floor (no-JS transforms)', '× bare mesh', 'worker thread', 'owner sends, fps', 'goal'],
      (Object.keys(labels) as GroupVariant[]).map((name) => [
        labels[name],
        percent(member(name)),
        times(ratio(name, 'native')),
        times(ratio(name, 'mesh')),
        percent(worker(name)),
        fpsOf(name).toFixed(1),
        name === 'sealcall' ? `≤ 1.04× · ${cpuVerdict(sealcallRatio <= 1.04, fpsOf('sealcall'), fpsOf('native'))}` : '',
      ]),
    ),
    '',
    `Encrypting a frame once for all receivers is not something Chromium allows: an encoded transform belongs to one ` +
      `RTCRtpSender, and each sender has its own encoder, so in a mesh each of a member's three connections encodes ` +
      `the camera on its own (at the bitrate its own path allows) and hands its transform different frames; there is ` +
      `no one encoded frame to seal for all three. The bare mesh pays the three encodes as well. What Sealcall shares ` +
      `is the rest: one worker thread for all six transforms of a member (three send, three receive), one SFrame ` +
      `sender per epoch whose counter every send transform draws from, and one capture for the three connections. ` +
      `So E2EE's cost per receiver is one seal of a frame the encoder made for that receiver anyway.`,
  ].join('\n');
}
