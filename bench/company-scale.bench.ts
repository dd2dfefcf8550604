/**
 * Company scale (issue 13): login storms of N distinct users against one real server, a second
 * storm of the same users returning with their stored directory version, and the cost of one
 * presence change with S subscribers among N online. Exponents are fitted over N (log-log least
 * squares) and extrapolated to 20 000 people online at once.
 *
 * Run alone: `npx tsx bench/run.ts company` (COMPANY_SIZES=1000,2000 to pick the sizes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { BenchClient } from './bench-client';
import { cpuSecondsOf, fdHardLimit, rssOf, sleep } from './bench-process';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { seedUsers } from './bench-seed';
import { scrapeMetric, startBenchServer, type BenchServer } from './bench-server';
import { fitPowerLaw, markdownTable, median, verdict } from './bench-stats';
import { benchUserId } from './server-bench-keys';
import { counterDelta, StormDrivers, type StormResult } from './storm-drivers';
import type { DriverCounters } from './login-storm-driver';

const SEED = 'sealcall-company-bench';
/** Colleagues each user follows: a contact list's worth, as the app subscribes to what it shows. */
const COLLEAGUES = 50;
/** Logins in flight at once, over all drivers. */
const IN_FLIGHT = 100;
const DRIVERS = 4;
/** Returning storms per N: their median time and CPU go in the table (the cores are shared). */
const RETURNS = 3;
const TARGET = 20_000;
/** Issue 13's figures for protocol 1, measured before protocol 2 (not in this run). */
const OLD_BYTES_PER_N2 = 191;
const OLD_HERD_2000_MIB = 648;

interface StormFigures {
  n: number;
  storm: StormResult;
  /** Everything the drivers received from `go` until the storm's traffic settled. */
  traffic: DriverCounters;
  cpuSeconds: number;
  /** Server RSS once the storm's traffic settled, everyone online. */
  rss: number;
}

interface FanOut {
  n: number;
  subscribers: number;
  /** Per change (online, then offline): messages and bytes delivered to everyone else. */
  messages: number[];
  presenceAbout: number[];
  bytes: number[];
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const gb = (bytes: number) => (bytes / 1e9).toFixed(bytes >= 1e10 ? 0 : 1);
const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * N for the storms: 1 000, 2 000 and 4 000 by default. COMPANY_SIZES adds more (8 000 fits the fd
 * limit here, but its first storm alone sends about 7 GB through the drivers: minutes on 2 shared
 * cores). Sizes the fd hard limit cannot hold (one fd per user in the server) are left out.
 */
function sizes(hardLimit: number): number[] {
  const chosen = process.env['COMPANY_SIZES'];
  const wanted = chosen !== undefined && chosen !== '' ? chosen.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 1) : [1000, 2000, 4000];
  return wanted.filter((n) => n + 500 <= hardLimit);
}

/** Waits until the drivers' counters stop moving (the storm's last presence updates delivered). */
async function settled(drivers: StormDrivers): Promise<DriverCounters> {
  let last = await drivers.counters();
  for (let round = 0; round < 50; round += 1) {
    await sleep(200);
    const now = await drivers.counters();
    if (now.messages === last.messages) return now;
    last = now;
  }
  return last;
}

async function waitForNobodyOnline(server: BenchServer): Promise<void> {
  for (let round = 0; round < 300; round += 1) {
    if ((await scrapeMetric(server.httpUrl, 'sealcall_authenticated_users')) === 0) return;
    await sleep(100);
  }
  throw new Error('users still online 30 s after logging out');
}

async function measureStorm(server: BenchServer, drivers: StormDrivers, n: number): Promise<StormFigures> {
  const before = await drivers.counters();
  const cpuBefore = cpuSecondsOf(server.pid);
  const storm = await drivers.storm();
  const after = await settled(drivers);
  const cpuSeconds = cpuSecondsOf(server.pid) - cpuBefore;
  if (storm.failed > 0) throw new Error(`${String(storm.failed)} of ${String(n)} logins failed: ${storm.errors.join('; ')}`);
  return { n, storm, traffic: counterDelta(after, before), cpuSeconds, rss: rssOf(server.pid) };
}

/**
 * One user (index n, followed by nobody else) comes online, then goes offline, while the first
 * `subscribers` of the n online users follow it: what do the others receive per change?
 */
async function measureFanOut(server: BenchServer, drivers: StormDrivers, n: number, subscribers: number): Promise<FanOut> {
  await drivers.watch(benchUserId(n), subscribers);
  const untilDelivered = async (from: DriverCounters) => {
    for (let round = 0; round < 100; round += 1) {
      const now = await drivers.counters();
      if (now.presenceAboutWatched - from.presenceAboutWatched >= subscribers) break;
      await sleep(50);
    }
    // Anything else the change set off has had time to arrive too.
    return settled(drivers);
  };
  const start = await settled(drivers);
  const watchedUser = await BenchClient.connect(server.wsUrl, SEED, n, { sync: true });
  const online = await untilDelivered(start);
  await watchedUser.close();
  const offline = await untilDelivered(online);
  const changes = [counterDelta(online, start), counterDelta(offline, online)];
  return {
    n,
    subscribers,
    messages: changes.map((change) => change.messages),
    presenceAbout: changes.map((change) => change.presenceAboutWatched),
    bytes: changes.map((change) => change.bytes),
  };
}

async function runSize(n: number, log: (line: string) => void): Promise<{ first: StormFigures; returning: StormFigures; fanOuts: FanOut[]; idleRss: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sealcall-company-'));
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sealcall-company-state-'));
  let server: BenchServer | undefined;
  let drivers: StormDrivers | undefined;
  try {
    // User n is the one whose presence changes in the fan-out measurement.
    await seedUsers(dataDir, SEED, n + 1);
    server = await startBenchServer({ connections: n + 500, args: ['--data-dir', dataDir, '--auth-timeout', '10m'] });
    const idleRss = rssOf(server.pid);
    drivers = await StormDrivers.start({ url: server.wsUrl, seed: SEED, total: n, colleagues: COLLEAGUES, concurrency: IN_FLIGHT / DRIVERS, stateDir }, DRIVERS);

    const first = await measureStorm(server, drivers, n);
    log(`company N=${String(n)}: first storm ${seconds(first.storm.elapsedMs)} s, ${mib(first.traffic.wireBytes)} MiB, server CPU ${first.cpuSeconds.toFixed(1)} s`);
    await drivers.logOut();
    await drivers.stop();
    await waitForNobodyOnline(server);

    // The same people come back with what they stored: new processes, new sockets, a few times.
    const returns: StormFigures[] = [];
    for (let round = 0; round < RETURNS; round += 1) {
      if (round > 0) {
        await drivers.logOut();
        await drivers.stop();
        await waitForNobodyOnline(server);
      }
      drivers = await StormDrivers.start({ url: server.wsUrl, seed: SEED, total: n, colleagues: COLLEAGUES, concurrency: IN_FLIGHT / DRIVERS, stateDir }, DRIVERS);
      const figures = await measureStorm(server, drivers, n);
      log(`company N=${String(n)}: returning storm ${seconds(figures.storm.elapsedMs)} s, ${mib(figures.traffic.wireBytes)} MiB, server CPU ${figures.cpuSeconds.toFixed(1)} s, full copies ${String(figures.traffic.fullSyncs)}`);
      returns.push(figures);
    }
    // The storm of median time stands for all; its CPU is replaced by the median CPU.
    const byTime = [...returns].sort((a, b) => a.storm.elapsedMs - b.storm.elapsedMs);
    const middle = byTime[Math.floor(byTime.length / 2)];
    const last = returns.at(-1);
    if (middle === undefined || last === undefined) throw new Error('no returning storm');
    const returning: StormFigures = { ...middle, cpuSeconds: median(returns.map((figures) => figures.cpuSeconds)), rss: last.rss };

    const fanOuts: FanOut[] = [];
    for (const subscribers of [10, 100, 1000].filter((s) => s <= n)) {
      const fanOut = await measureFanOut(server, drivers, n, subscribers);
      log(`company N=${String(n)} S=${String(subscribers)}: ${fanOut.messages.join(' / ')} messages per change`);
      fanOuts.push(fanOut);
    }
    return { first, returning, fanOuts, idleRss };
  } finally {
    await drivers?.stop();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function stormTable(label: string, storms: readonly StormFigures[]): string {
  return markdownTable(
    [label, 'N', 'users online', 'time to all online', 'bytes sent (wire)', 'per login', 'payload', 'full copies', 'entries sent', 'presence msgs', 'server CPU', 'drivers CPU', 'server RSS'],
    storms.map((figures) => [
      '',
      String(figures.n),
      String(figures.storm.ready),
      `${seconds(figures.storm.elapsedMs)} s`,
      `${mib(figures.traffic.wireBytes)} MiB`,
      `${kb(figures.traffic.wireBytes / figures.n)} kB`,
      `${mib(figures.traffic.bytes)} MiB`,
      String(figures.traffic.fullSyncs),
      String(figures.traffic.entries),
      String(figures.traffic.presence),
      `${figures.cpuSeconds.toFixed(2)} s`,
      `${figures.storm.driverCpuSeconds.toFixed(2)} s`,
      `${mib(figures.rss)} MiB`,
    ]),
  );
}

export async function runCompanyScaleBench(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<BenchSection> {
  const hardLimit = fdHardLimit();
  const ns = sizes(hardLimit);
  log(`company: fd hard limit ${String(hardLimit)}, sizes ${ns.join(', ')}`);
  const results = [];
  for (const n of ns) results.push(await runSize(n, log));

  const firsts = results.map((result) => result.first);
  const returns = results.map((result) => result.returning);
  const fit = (storms: readonly StormFigures[], pick: (figures: StormFigures) => number) => fitPowerLaw(storms.map((figures) => [figures.n, pick(figures)] as const));
  const fits = {
    firstBytes: fit(firsts, (f) => f.traffic.wireBytes),
    firstTime: fit(firsts, (f) => f.storm.elapsedMs),
    firstCpu: fit(firsts, (f) => f.cpuSeconds),
    bytes: fit(returns, (f) => f.traffic.wireBytes),
    time: fit(returns, (f) => f.storm.elapsedMs),
    cpu: fit(returns, (f) => f.cpuSeconds),
  };
  const at = (law: { exponent: number; coefficient: number }) => law.coefficient * TARGET ** law.exponent;
  const ratios = results.map((result) => result.returning.traffic.wireBytes / result.first.traffic.wireBytes);
  const worstRatio = Math.max(...ratios);
  const exponent = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
  const fanOuts = results.flatMap((result) => result.fanOuts);
  const largest = results.at(-1);
  const perUserRss = largest === undefined ? Number.NaN : (largest.returning.rss - largest.idleRss) / largest.returning.n;
  const proportional = fanOuts.every((f) => f.presenceAbout.every((count) => count === f.subscribers) && f.messages.every((count) => count === f.subscribers));

  const markdown = [
    `The real server (\`sealcall-server start\`, one Node ${process.version} process, SQLite) on loopback; the load from ${String(DRIVERS)} driver processes ` +
      `(\`bench/login-storm-driver.ts\`) on the same 2 shared cores, so the drivers' own signing and parsing compete with the server for CPU. fd hard limit ${String(hardLimit)} (server and drivers run with the soft limit raised to it).`,
    `A storm logs N distinct enrolled users in, ${String(IN_FLIGHT)} logins in flight at a time, each with a real Ed25519 challenge signature, and each doing what the app does after login in protocol ${String(PROTOCOL_VERSION)}: ` +
      `\`directory.sync\` (no \`since\` the first time; the stored {epoch, version} when returning), then \`presence.subscribe\` to its ${String(COLLEAGUES)} nearest colleagues. A user is online once its \`directory.delta\` and \`presence.snapshot\` have arrived. ` +
      'Bytes are what the clients read from their TCP sockets (upgrade responses, frame headers and payloads) from the first connection until the traffic settled; payload is the JSON alone. ' +
      'Time is from the first connection attempt to the last user online. Server CPU is user + system time of the server process (`/proc/<pid>/stat`) over the same span; drivers CPU is the drivers\' own over the storm, so time against the two CPU columns shows who waited for whom. ' +
      `Between the storms everyone logs out; each returning storm is new sockets from new driver processes. The returning storm ran ${String(RETURNS)} times per N: its row is the storm of median time, with the median server CPU of the ${String(RETURNS)}; the server RSS is the last one's, with everyone online.`,
    '',
    stormTable('first storm (new devices)', firsts),
    '',
    stormTable(`returning storm (median of ${String(RETURNS)})`, returns),
    '',
    markdownTable(
      ['fit over N (log-log least squares)', 'exponent', 'r²', 'goal', '', '20 000 online at once (fit)', 'protocol 1 at 20 000 (issue 13, not this run)'],
      [
        ['returning storm: bytes sent', exponent(fits.bytes.exponent), fits.bytes.r2.toFixed(2), '≤ 1.1', verdict(fits.bytes.exponent <= 1.1), `${gb(at(fits.bytes))} GB`, '63–76 GB'],
        ['returning storm: time to all online', exponent(fits.time.exponent), fits.time.r2.toFixed(2), '≤ 1.2', verdict(fits.time.exponent <= 1.2), `${seconds(at(fits.time))} s`, ''],
        ['returning storm: server CPU-seconds', exponent(fits.cpu.exponent), fits.cpu.r2.toFixed(2), '≤ 1.2', verdict(fits.cpu.exponent <= 1.2), `${at(fits.cpu).toFixed(0)} s`, ''],
        ['first storm: bytes sent', exponent(fits.firstBytes.exponent), fits.firstBytes.r2.toFixed(2), '', '', `${gb(at(fits.firstBytes))} GB`, '63–76 GB'],
        ['first storm: time to all online', exponent(fits.firstTime.exponent), fits.firstTime.r2.toFixed(2), '', '', `${seconds(at(fits.firstTime))} s`, ''],
        ['first storm: server CPU-seconds', exponent(fits.firstCpu.exponent), fits.firstCpu.r2.toFixed(2), '', '', `${at(fits.firstCpu).toFixed(0)} s`, ''],
      ],
    ),
    '',
    'An r² well below 1 means a power law hardly explains the points (a figure that barely grows, measured on shared cores, is mostly noise): read that exponent and its extrapolation as "no real growth measured", not as a law.',
    '',
    `Returning storm's bytes against the first storm's, per N: ${results.map((result, index) => `${String(result.first.n)}: ${((ratios[index] ?? NaN) * 100).toFixed(1)} %`).join(', ')}. ` +
      `Goal ≤ 5 %: ${verdict(worstRatio <= 0.05)} (worst ${(worstRatio * 100).toFixed(1)} %).`,
    '',
    `The first storm is every device of the company syncing for the first time at once, so each downloads the whole directory: its bytes grow as N², by design, but it happens once per device, at enrollment. ` +
      'Every later login (a restart of the server, a morning, a network change) is a returning one. ' +
      `Protocol 1, for comparison (**not measured in this run**: the figure in issue 13, measured before protocol 2 on this machine): ~${String(OLD_BYTES_PER_N2)}·N² bytes per storm (${String(OLD_HERD_2000_MIB)} MiB for 2 000 users), ` +
      `since every login got the whole directory and everyone's presence; 20 000 at once would have sent 63–76 GB, every time. ` +
      `Extrapolated from this run's fits, 20 000 returning users send ${gb(at(fits.bytes))} GB in all (${kb(at(fits.bytes) / TARGET)} kB each).`,
    '',
    `Memory: with ${String(largest?.returning.n ?? 0)} users online the server's RSS was ${mib(largest?.returning.rss ?? NaN)} MiB, ${(perUserRss / 1024).toFixed(1)} KiB per user above the idle server's ${mib(largest?.idleRss ?? NaN)} MiB; ` +
      `20 000 at that rate: ${mib((largest?.idleRss ?? NaN) + perUserRss * TARGET)} MiB (GC'd heaps grow in steps, so this is a rough figure).`,
    '',
    '### Presence fan-out',
    '',
    `One user (followed by nobody in the storm) comes online, then goes offline, while S of the N online users follow it. Counted: every message the N online users received per change (and how many were \`presence\` about that user).`,
    '',
    markdownTable(
      ['N online', 'S subscribers', 'messages, online change', 'messages, offline change', 'presence about the user', 'bytes per change'],
      fanOuts.map((f) => [String(f.n), String(f.subscribers), String(f.messages[0] ?? NaN), String(f.messages[1] ?? NaN), f.presenceAbout.join(' / '), `${kb(((f.bytes[0] ?? 0) + (f.bytes[1] ?? 0)) / 2)} kB`]),
    ),
    '',
    `Goal: messages per change ∝ S, independent of N: ${verdict(proportional)} (${proportional ? 'exactly S messages per change in every row' : 'see the rows'}).`,
  ].join('\n');
  return { title: 'Company scale: login storms and presence fan-out', markdown };
}

await printWhenRunDirectly(import.meta.url, () => runCompanyScaleBench());
