/**
 * One cell of the meeting-transport benchmark: N members of a fresh company in one group video
 * call, its server told by `--mesh-max` to run it as a mesh or through a real Janus, and one
 * measuring window once every member decrypts every other member's video.
 */
import { loadavg } from 'node:os';
import { chromium, type Browser, type CDPSession } from '@playwright/test';
import { janusMissingReason, startJanus } from '../server/test-support/janus.fixture';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/harness/chromium-args';
import { Company, type CompanyUser } from '../e2e/harness/company';
import { groupOfUsers } from '../e2e/harness/group-company';
import { HarnessEnvironment } from '../e2e/harness/harness-environment';
import { allowTsxFunctions } from './bench-browser';
import { cpuSecondsOf } from './bench-process';
import { waitUntil } from './bench-wait';
import { installCallTimeline } from './call-timeline';
import { spent } from './e2ee-cpu-window';
import { readUpload, transportNow, type UploadReading } from './meeting-transport-page';
import { sleep } from './bench-calls';

export type Transport = 'mesh' | 'sfu';

/** Mesh: every size measured stays a mesh (8 is the server's largest mesh). SFU: anything past 2. */
const MESH_MAX: Record<Transport, number> = { mesh: 8, sfu: 2 };
/** Only bounds a call that never comes up: 8 pages with cameras on a loaded 2-core machine take minutes. */
const SETUP_LIMIT_MS = 480_000;

export interface CellResult {
  size: number;
  transport: Transport;
  /** Per member, in member order: kbit/s uploaded over the window (bytesSent of every outbound-rtp). */
  uploadKbps: number[];
  /** Per member: cores busy in its page's renderer process (all its threads) over the window. */
  rendererCores: number[];
  /** Every process of the browser (renderers, GPU, network and audio utilities, the browser itself), divided by the members. */
  browserCoresPerMember: number;
  /** Janus's process over the window (all its threads), in cores. */
  janusCores: number;
  /** Per member: video frames encoded a second, over all its outbound video streams. */
  encodedFps: number[];
  /** Per stream received: video frames a second the receiving worker decrypted, over the window. */
  receivedFps: number[];
  videoStreams: number[];
  /** Every outbound video stream's encoded height at the window's end. */
  sentHeights: number[];
  camera: string;
  load: number;
  setupSeconds: number;
}

interface Sample {
  at: number;
  uploads: UploadReading[];
  renderers: number[];
  browser: Map<number, number>;
  janus: number;
}

/** The page's renderer process's CPU time so far, in seconds (CDP Performance.getMetrics ProcessTime). */
async function processSeconds(session: CDPSession): Promise<number> {
  const { metrics } = await session.send('Performance.getMetrics');
  const time = metrics.find((metric) => metric.name === 'ProcessTime')?.value;
  if (time === undefined) throw new Error('this Chromium reports no ProcessTime in Performance.getMetrics');
  return time;
}

async function browserSeconds(cdp: CDPSession): Promise<Map<number, number>> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  return new Map(processInfo.map((info) => [info.id, info.cpuTime]));
}

export async function measureCell(size: number, transport: Transport, seconds: { ramp: number; window: number }, progress: (what: string) => void): Promise<CellResult> {
  const missing = janusMissingReason();
  if (missing !== undefined) throw new Error(missing);
  const janus = await startJanus();
  let launched: Browser | undefined;
  const harness = new HarnessEnvironment(async () => {
    launched = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    return launched;
  });
  let company: Company | undefined;
  try {
    // As in the app: each page reaches Janus through its core, which sends to the seat's URL.
    company = await Company.open(harness, ['--janus-url', janus.apiUrl, '--janus-public-url', janus.apiUrl, '--janus-secrets-file', janus.secretsFile, '--mesh-max', String(MESH_MAX[transport])]);
    const users = await groupOfUsers(company, size);
    if (launched === undefined) throw new Error('the harness opened users without launching a browser');
    for (const user of users) {
      await allowTsxFunctions(user.page);
      await user.page.evaluate(installCallTimeline);
    }
    progress(`${String(size)} ${transport}: ${String(size)} members enrolled`);
    const started = Date.now();
    await startCall(users);
    await everyoneDecodesEveryone(users);
    const setupSeconds = (Date.now() - started) / 1000;
    for (const user of users) {
      const now = await user.page.evaluate(transportNow);
      const expected = transport === 'sfu' ? { transport: 'sfu', pairs: 0 } : { transport: 'mesh', pairs: size - 1 };
      if (now.transport !== expected.transport || now.pairs !== expected.pairs) throw new Error(`${user.userId} runs ${JSON.stringify(now)}, not ${JSON.stringify(expected)}`);
    }
    progress(`${String(size)} ${transport}: everyone decodes everyone after ${setupSeconds.toFixed(0)} s`);
    const cdp = await launched.newBrowserCDPSession();
    const sessions = await Promise.all(users.map(async (user) => {
      const session = await user.page.context().newCDPSession(user.page);
      await session.send('Performance.enable');
      return session;
    }));
    await sleep(seconds.ramp * 1000);
    const load = loadavg()[0] ?? Number.NaN;
    const sample = async (): Promise<Sample> => {
      const [renderers, browser, uploads] = await Promise.all([
        Promise.all(sessions.map(processSeconds)),
        browserSeconds(cdp),
        Promise.all(users.map((user) => user.page.evaluate(readUpload))),
      ]);
      return { at: performance.now(), uploads, renderers, browser, janus: cpuSecondsOf(janus.pid) };
    };
    const before = await sample();
    await sleep(seconds.window * 1000);
    const after = await sample();
    return summarize(size, transport, users, before, after, { load, setupSeconds });
  } finally {
    await company?.close().catch(() => undefined);
    await harness.close().catch(() => undefined);
    await janus.stop();
  }
}

/** The owner starts the call with everyone; each invitee accepts as soon as it rings. */
async function startCall(users: readonly CompanyUser[]): Promise<void> {
  const [owner, ...invited] = users;
  if (owner === undefined) throw new Error('no owner');
  await owner.page.evaluate(async (ids) => window.sealcallGroupDiagnostics?.engine.start(ids, 'video'), invited.map((user) => user.userId));
  await Promise.all(invited.map(async (user) => {
    await waitUntil(`${user.userId} rings`, () => user.page.evaluate(() => window.sealcallGroupDiagnostics?.state().view?.state), (state) => state === 'incoming', SETUP_LIMIT_MS);
    await user.page.evaluate(async () => window.sealcallGroupDiagnostics?.engine.accept('video'));
  }));
}

async function everyoneDecodesEveryone(users: readonly CompanyUser[]): Promise<void> {
  await Promise.all(users.map((user) => {
    const others = users.filter((other) => other !== user).map((other) => other.userId);
    return waitUntil(
      `${user.userId}'s worker decrypting every other member's video`,
      async () => (await user.page.evaluate(readUpload)).decryptedVideo,
      (decrypted) => others.every((id) => (decrypted[id] ?? 0) > 0),
      SETUP_LIMIT_MS,
    );
  }));
}

function summarize(size: number, transport: Transport, users: readonly CompanyUser[], before: Sample, after: Sample, context: { load: number; setupSeconds: number }): CellResult {
  const seconds = (after.at - before.at) / 1000;
  const rate = (then: number | undefined, now: number | undefined) => ((now ?? Number.NaN) - (then ?? Number.NaN)) / seconds;
  // Each stream's own difference; one that began in the window counts from 0, one that ended in it is lost (undercounts).
  const streamRate = (then: Record<string, number> | undefined, now: Record<string, number> | undefined) =>
    now === undefined ? Number.NaN : Object.entries(now).reduce((sum, [stream, value]) => sum + value - (then?.[stream] ?? 0), 0) / seconds;
  const receivedFps = users.flatMap((user, index) =>
    users.filter((other) => other !== user).map((other) => rate(before.uploads[index]?.decryptedVideo[other.userId], after.uploads[index]?.decryptedVideo[other.userId])),
  );
  return {
    size,
    transport,
    uploadKbps: users.map((_, index) => (streamRate(before.uploads[index]?.bytesSent, after.uploads[index]?.bytesSent) * 8) / 1000),
    rendererCores: users.map((_, index) => rate(before.renderers[index], after.renderers[index])),
    browserCoresPerMember: spent(before.browser, after.browser) / seconds / size,
    janusCores: rate(before.janus, after.janus),
    encodedFps: users.map((_, index) => streamRate(before.uploads[index]?.framesEncoded, after.uploads[index]?.framesEncoded)),
    receivedFps,
    videoStreams: after.uploads.map((upload) => upload.videoStreams),
    sentHeights: after.uploads.flatMap((upload) => upload.sentHeights),
    camera: after.uploads[0]?.camera ?? '?',
    ...context,
  };
}
