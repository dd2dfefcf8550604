/**
 * Group-call rekeying on loopback with real cores (OnlineSession + group-call manager + ts-mls) and a
 * real server process with its SQLite file, run two ways in the same run: eight cores in this one
 * Node process, and eight cores in a child process each (bench/group-rekey-forked.ts), as eight
 * laptops would run them. Each round grows a group call to 8 members one accept at a time and
 * empties it one leave at a time, so every size is passed through with one Add and one Remove. Each
 * commit is timed from the committer handing it to the link to the last member's `keys` event for
 * the new epoch, the joiner's included. Also: KeyPackage generation and the joiner's Welcome
 * processing (the Welcome's arrival at its manager to its keys).
 *
 * Why not one member leaving and rejoining on a new session: the server takes a user's KeyPackages
 * at most every 10 s after a few, so each rejoin would wait for that (docs/protocol.md).
 * `GROUP_ROUNDS=n` overrides the rounds. Run directly: `npx tsx bench/groups.bench.ts`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { generateIdentityKeyPair } from '../shared/crypto/identity';
import { KeyPackageStore } from '../electron/core/group/key-packages';
import { enrollUser, removeDataDir, startServerProcess, type EnrolledUser } from '../server/test-support/harness.fixture';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { QUICK } from './bench-browser';
import { markdownTable, median, ms, percentile, verdict } from './bench-stats';
import { LocalRekeyMember, type RekeyMember } from './group-rekey-member';
import { ForkedRekeyMember } from './group-rekey-forked';
import { CommitClock, emptySamples, rekeyRound, type BySize, type RekeySamples } from './group-rekey-rounds';

const ROUNDS = Number(process.env['GROUP_ROUNDS'] ?? (QUICK ? 4 : 100));
/** Untimed rounds first, per layout: the JIT, ts-mls's lazy imports and the server's statements warm up. */
const WARMUP = QUICK ? 1 : 3;
/** Rounds of one layout before the other takes its turn, so drift in the machine's load hits both. */
const BLOCK = QUICK ? 2 : 10;
/** One group of 8 per round, grown one member at a time and then emptied: every size from 2 to 8 is passed through. */
const SIZE = 8;
const REPORTED = [2, 4, 6, 8];
const GOAL_SIZES = [4, 8];
const GOAL_P99_MS = 300;
/** GROUP_MAX_MINUTES=n: stop after the block that passes n minutes of rounds (the rounds done are said). */
const MAX_MINUTES = Number(process.env['GROUP_MAX_MINUTES'] ?? Infinity);
const KEY_PACKAGE_BATCHES = QUICK ? 3 : 20;
const BATCH = 10;

const progress = (what: string) => { console.error(`bench groups: ${what}`); };
const load = () => os.loadavg().map((value) => value.toFixed(2)).join(' / ');

async function keyPackageSamples(): Promise<number[]> {
  const store = new KeyPackageStore({ userId: 'kp', identity: await generateIdentityKeyPair() });
  const samples: number[] = [];
  for (let round = 0; round < KEY_PACKAGE_BATCHES + 1; round++) {
    const start = performance.now();
    await store.generateBatch(BATCH);
    // The first batch warms up; a batch is BATCH one-time packages and one last-resort one.
    if (round > 0) samples.push((performance.now() - start) / (BATCH + 1));
  }
  store.wipe();
  return samples;
}

interface Layout {
  readonly name: string;
  readonly members: RekeyMember[];
  readonly clock: CommitClock;
  readonly samples: RekeySamples;
  done: number;
}

/** The layout's members, started; `layouts` gets it at once, so that they are closed whatever happens next. */
async function layout(layouts: Layout[], name: string, users: readonly EnrolledUser[], make: (user: EnrolledUser, clock: CommitClock) => RekeyMember): Promise<Layout> {
  const clock = new CommitClock();
  const members = users.map((user) => make(user, clock));
  const target = { name, members, clock, samples: emptySamples(), done: 0 };
  layouts.push(target);
  const ids = members.map((member) => member.id);
  const started = performance.now();
  await Promise.all(members.map((member) => member.ready(ids.filter((id) => id !== member.id))));
  progress(`${name}: ${String(members.length)} cores online, KeyPackages published (${ms(performance.now() - started)} ms)`);
  return target;
}

async function runRounds(target: Layout, count: number): Promise<void> {
  for (let round = 0; round < count; round++) {
    await rekeyRound(target.members, target.clock, target.samples, target.done >= WARMUP);
    target.done += 1;
  }
}

const of = (samples: BySize, size: number) => samples.get(size) ?? [];
const p50p99 = (values: readonly number[]) => `${ms(median(values))} / ${ms(percentile(values, 99))}`;

export async function runGroupsBench(): Promise<BenchSection> {
  const loads: string[] = [`start ${load()}`];
  const kp = await keyPackageSamples();
  // Lifted so the rounds measure the rekey, not the per-connection limiter or the connect rate.
  const server = await startServerProcess({
    args: ['--log-level', 'warn', '--invite-timeout', '600s', '--rate-limit', '1000000', '--rate-burst', '1000000', '--connect-rate-per-address', '1000000', '--connect-burst-per-address', '1000000'],
  });
  const layouts: Layout[] = [];
  let highest = 0;
  try {
    const users: EnrolledUser[] = [];
    for (let i = 0; i < 2 * SIZE; i++) {
      const user = await enrollUser(server, `member-${String(i)}`);
      user.client.close();
      users.push(user);
    }
    await layout(layouts, 'one process', users.slice(0, SIZE), (user, clock) => new LocalRekeyMember(user, server.wsUrl, clock.record));
    await layout(layouts, 'a process each', users.slice(SIZE), (user, clock) => new ForkedRekeyMember(user, server.wsUrl, clock.record));
    for (const target of layouts) await runRounds(target, WARMUP);
    const roundsFrom = performance.now();
    for (let block = 0; block * BLOCK < ROUNDS && performance.now() - roundsFrom < MAX_MINUTES * 60_000; block++) {
      const count = Math.min(BLOCK, ROUNDS - block * BLOCK);
      // The layouts take turns going first, so a burst of load hits both alike.
      const order = block % 2 === 0 ? layouts : [...layouts].reverse();
      for (const target of order) await runRounds(target, count);
      highest = Math.max(highest, os.loadavg()[0] ?? 0);
      progress(`${String((block + 1) * BLOCK)} of ${String(ROUNDS)} rounds each, load ${load()}`);
    }
    loads.push(`end ${load()}`, `highest 1-min seen between blocks ${highest.toFixed(2)}`);
  } finally {
    await Promise.all(layouts.flatMap((target) => target.members.map((member) => member.close().catch(() => undefined))));
    await server.stop();
    removeDataDir(server.dataDir);
  }
  const [single, forked] = layouts;
  if (single === undefined || forked === undefined) throw new Error('both layouts should have run');

  const rows: string[][] = [];
  for (const size of REPORTED) {
    const goal = GOAL_SIZES.includes(size);
    const steps: [string, keyof RekeySamples, boolean][] = [
      ['Add: commit sent → all members and the joiner on the new keys', 'add', goal],
      ['Remove: commit sent → all members left on the new keys', 'remove', goal],
      ["Add: Welcome at the joiner's core → its keys", 'welcome', false],
    ];
    for (const [label, key, withGoal] of steps) {
      const ours = of(forked.samples[key], size);
      const p99 = percentile(ours, 99);
      rows.push([String(size), label, p50p99(ours), p50p99(of(single.samples[key], size)), ms(Math.max(...ours)), withGoal ? `≤ ${String(GOAL_P99_MS)} ms p99: ${verdict(p99 <= GOAL_P99_MS)}` : '–']);
    }
  }
  const splitRows = GOAL_SIZES.flatMap((size) => [
    [String(size), 'commit sent → it reached the last member to key (server ordering and fan-out, the link)', p50p99(of(forked.samples.toLast, size)), p50p99(of(single.samples.toLast, size))],
    [String(size), 'it reached that member → its keys (ts-mls apply or Welcome, key export, in its core)', p50p99(of(forked.samples.lastApplies, size)), p50p99(of(single.samples.lastApplies, size))],
    [String(size), "CPU time of the slowest member's process from the commit's arrival to its keys (its core's own work)", p50p99(of(forked.samples.applyCpu, size)), '–'],
  ]);
  const estimate = (size: number) => median(of(forked.samples.toLast, size)) + median(of(forked.samples.applyCpu, size));
  const estimate99 = (size: number) => percentile(of(forked.samples.toLast, size), 99) + percentile(of(forked.samples.applyCpu, size), 99);
  const markdown = [
    'Real cores (OnlineSession, group-call manager, ts-mls 1.6.4, ciphersuite 0x0003) and a real server process (SQLite)',
    `on loopback, laid out two ways in the same run: **a process each** (each member's core in its own Node child`,
    'process, `child_process.fork` under tsx, as each member runs one core on their own laptop: its own thread, heap and',
    'allocator) and **one process** (all eight cores on this process\'s one thread, so they handle a commit one after',
    `another). ${String(single.done - WARMUP)} rounds per layout after ${String(WARMUP)} untimed ones, in blocks of ${String(BLOCK)} that take turns; in each round the`,
    'owner creates a group call for 7 invitees, who accept one at a time (each accept: the lowest leaf fetches a',
    'KeyPackage and commits an Add with a Welcome), and then leave one at a time, the last joiner first (each leave: the',
    'lowest leaf commits a Remove). So every size from 2 to 8 is passed through growing and shrinking; "Members" is the',
    'size the commit makes (Add) or starts from (Remove). A rekey is timed from the committer handing the commit to its',
    "link (the manager's `beforeCommitSent` hook) to the last `keys` event for the new epoch, the joiner's included, on",
    "wall-clock time shared by the processes (`performance.timeOrigin + now()`, taken in the member's own process, so the",
    'IPC back to the bench is not counted): it covers the server\'s ordering and fan-out, every member\'s commit processing',
    "(or the joiner's Welcome) and the epoch's key export. Goal (the issue): ≤ 300 ms p99 on loopback, for 4 and 8 members.",
    '',
    markdownTable(['Members', 'Step', 'a process each: p50 / p99 ms', 'one process: p50 / p99 ms', 'a process each: max ms', 'Goal (a process each)'], rows),
    '',
    'Where a rekey\'s time goes, Add and Remove together, for the member that keyed last (the committer keys on the server\'s confirmation of its own commit):',
    '',
    markdownTable(['Members', 'Part', 'a process each: p50 / p99 ms', 'one process: p50 / p99 ms'], splitRows),
    '',
    `On this machine two shared cores run the eight member processes besides other work, so the members do not apply a ` +
      `commit in parallel as eight laptops would, and every process starts cold (its own JIT): the wall-clock "a process ` +
      `each" rows are what this machine gives, not what eight machines would. The CPU row is what a member's core needs ` +
      `with a core to itself: the server's part plus the slowest member's CPU is about ${ms(estimate(4))} ms at 4 members and ` +
      `${ms(estimate(8))} ms at 8 (p50; p99 each summed, an upper bound: ${ms(estimate99(4))} and ${ms(estimate99(8))} ms).`,
    '',
    `KeyPackage generation: ${ms(median(kp))} ms per package (p99 ${ms(percentile(kp, 99))}), ${String(KEY_PACKAGE_BATCHES)} batches of ${String(BATCH)} + 1 last-resort.`,
    '',
    `Load average (1 / 5 / 15 min) on ${String(os.cpus().length)} cores: ${loads.join('; ')}.`,
  ].join('\n');
  return { title: 'Group calls: rekey on loopback', markdown };
}

await printWhenRunDirectly(import.meta.url, runGroupsBench);
