/**
 * Where the JS of a Sealcall call spends its time: V8's sampling profiler (CDP Profiler) on the
 * caller's page and on its frame-crypto worker, during one call, printed as self time by function.
 * A tool for finding what to change, not a figure for docs/benchmarks.md:
 * `npx tsx bench/e2ee-cpu-profile.ts` (PROFILE_SECONDS, default 15).
 */
import type { CDPSession } from '@playwright/test';
import { connectSealcall, hangUpSealcall, openCallPages, sleep } from './bench-calls';

const SECONDS = Number(process.env['PROFILE_SECONDS'] ?? 15);
const TOP = 25;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** Self time by function, largest first, with each one's share of the profile's wall time. */
function selfTimes(profile: Profile): string[] {
  const total = profile.samples?.length ?? 0;
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').at(-1) ?? ''}:${String(lineNumber + 1)}:${String(columnNumber + 1)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  const msPerSample = total > 0 ? wallMs / total : 0;
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([key, hits]) => `${(hits * msPerSample).toFixed(0).padStart(7)} ms  ${((hits * msPerSample * 100) / wallMs).toFixed(2).padStart(6)} %  ${key}`);
}

/**
 * The page's dedicated workers, reached through the page's own session with non-flat auto-attach:
 * Playwright's CDPSession has no way to address a flat child session.
 */
class WorkerProfiler {
  #nextId = 1;
  readonly #pending = new Map<number, (result: unknown) => void>();
  readonly #sessions: string[] = [];
  constructor(private readonly page: CDPSession) {
    page.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type === 'worker') this.#sessions.push(event.sessionId);
    });
    page.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.#pending.get(message.id)?.(message.result);
    });
  }

  async attach(): Promise<number> {
    await this.page.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return this.#sessions.length;
  }

  send(method: string, params: object = {}): Promise<unknown[]> {
    return Promise.all(
      this.#sessions.map((sessionId) => {
        const id = this.#nextId++;
        const answered = new Promise<unknown>((resolve) => this.#pending.set(id, resolve));
        void this.page.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
        return answered;
      }),
    );
  }
}

const pages = await openCallPages();
try {
  const { alice, bob } = pages.company;
  const pageSession = await alice.page.context().newCDPSession(alice.page);
  const workers = new WorkerProfiler(pageSession);
  // The spare worker exists from the page's first idle moment; the call takes it.
  await alice.page.waitForFunction(() => true);
  await sleep(4000);
  console.log(`workers attached: ${String(await workers.attach())}`);
  await pageSession.send('Profiler.enable');
  await pageSession.send('Profiler.setSamplingInterval', { interval: 200 });
  await workers.send('Profiler.enable');
  await workers.send('Profiler.setSamplingInterval', { interval: 200 });
  await connectSealcall(alice.page, bob.page, bob.userId);
  await sleep(3000);
  await pageSession.send('Profiler.start');
  await workers.send('Profiler.start');
  await sleep(SECONDS * 1000);
  const { profile } = await pageSession.send('Profiler.stop');
  const workerProfiles = (await workers.send('Profiler.stop')) as ({ profile: Profile } | undefined)[];
  console.log(`\nAlice's page, main thread, ${String(SECONDS)} s:`);
  for (const line of selfTimes(profile)) console.log(line);
  for (const result of workerProfiles) {
    if (result === undefined) continue;
    console.log(`\nAlice's worker, ${String(SECONDS)} s:`);
    for (const line of selfTimes(result.profile)) console.log(line);
  }
  await hangUpSealcall(alice.page, bob.page);
} finally {
  await pages.close();
}
