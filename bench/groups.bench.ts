/**
 * Group-call rekeying on loopback with real cores (OnlineSession + group-call manager + ts-mls in
 * this process) and a real server process with its SQLite file. Each round grows a group call to 8
 * members one accept at a time and empties it one leave at a time, so every size is passed through
 * with one Add and one Remove. Each commit is timed from the committer handing it to the link to the
 * last member's `keys` event for the new epoch, the joiner's included. Also: KeyPackage generation
 * and the joiner's Welcome processing (the Welcome's arrival at its manager to its keys).
 *
 * Why not one member leaving and rejoining on a new session: the server takes a user's KeyPackages
 * at most every 10 s after a few, so each rejoin would wait for that (docs/protocol.md).
 * `GROUP_ROUNDS=n` overrides the rounds. Run directly: `npx tsx bench/groups.bench.ts`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { generateIdentityKeyPair } from '../shared/crypto/identity';
import { KeyPackageStore } from '../electron/core/group/key-packages';
import { enrollUser, randomCallId, removeDataDir, startServerProcess, type EnrolledUser, type ServerProcess } from '../server/test-support/harness.fixture';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { QUICK } from './bench-browser';
import { markdownTable, median, ms, percentile, verdict } from './bench-stats';
import { NodeGroupCore } from '../e2e/harness/group-cores';

const ROUNDS = Number(process.env['GROUP_ROUNDS'] ?? (QUICK ? 5 : 100));
/** Untimed rounds first: the JIT, ts-mls's lazy imports and the server's statements warm up. */
const WARMUP = QUICK ? 1 : 3;
/** One group of 8 per round, grown one member at a time and then emptied: every size from 2 to 8 is passed through. */
const SIZE = 8;
const REPORTED = [2, 4, 6, 8];
const GOAL_SIZES = [4, 8];
const GOAL_P99_MS = 300;
const KEY_PACKAGE_BATCHES = QUICK ? 3 : 20;
const BATCH = 10;

const loads: string[] = [];
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

/** The committer's send time for the commit that makes `epoch`, whoever commits. */
function commitSentAt(cores: readonly NodeGroupCore[]): { at: (epoch: number) => Promise<number>; stop: () => void } {
  const sent = new Map<number, number>();
  const waiting = new Map<number, (at: number) => void>();
  for (const core of cores) {
    core.tuning.beforeCommitSent = (_group, epoch) => {
      // The hook's epoch is the one the commit is for; it makes epoch + 1.
      const at = performance.now();
      if (!sent.has(epoch + 1)) sent.set(epoch + 1, at);
      waiting.get(epoch + 1)?.(at);
      return Promise.resolve();
    };
  }
  return {
    at: (epoch) => {
      const known = sent.get(epoch);
      return known !== undefined ? Promise.resolve(known) : new Promise((resolve) => waiting.set(epoch, resolve));
    },
    stop: () => {
      for (const core of cores) delete core.tuning.beforeCommitSent;
    },
  };
}

/** Samples per group size: the Add that made a group of that size, the Remove that left one of that size less. */
type BySize = Map<number, number[]>;

interface Samples {
  add: BySize;
  remove: BySize;
  welcome: BySize;
}

function push(samples: BySize, size: number, value: number): void {
  const list = samples.get(size) ?? [];
  list.push(value);
  samples.set(size, list);
}

async function groupSamples(server: ServerProcess, users: readonly EnrolledUser[]): Promise<Samples> {
  const ids = users.map((user) => user.userId);
  const cores = users.map((user) => new NodeGroupCore(user, server.wsUrl));
  const [owner, ...rest] = cores;
  if (owner === undefined || rest.length === 0) throw new Error('a group needs an owner and an invitee');
  await Promise.all(cores.map((core) => core.online));
  await Promise.all(cores.map((core) => core.knows(ids.filter((id) => id !== core.id))));
  await Promise.all(cores.map((core) => core.groups.published()));
  progress(`${cores.length} cores online, KeyPackages published`);

  const samples: Samples = { add: new Map(), remove: new Map(), welcome: new Map() };
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    const timed = round >= WARMUP;
    if (round % 10 === 0) progress(`round ${round} of ${ROUNDS + WARMUP}`);
    for (const core of cores) core.forget();
    const groupId = randomCallId();
    await owner.groups.create({ groupId, invitees: rest.map((core) => core.id), media: 'video', fingerprint: owner.fingerprint });
    let epoch = 0;
    const members = [owner];
    // Joins one at a time: each accept is one Add commit by the lowest leaf.
    for (const joiner of rest) {
      await joiner.view(groupId, (view) => view.state === 'incoming', 'incoming');
      const commits = commitSentAt(members);
      joiner.groups.accept(groupId, joiner.fingerprint);
      members.push(joiner);
      epoch += 1;
      const keys = await Promise.all(members.map((core) => core.keysAt(groupId, epoch)));
      const sent = await commits.at(epoch);
      commits.stop();
      const welcomeAt = joiner.welcomeAt.get(groupId);
      if (welcomeAt === undefined) throw new Error('the joiner has keys but no Welcome came');
      if (timed) {
        push(samples.add, members.length, Math.max(...keys) - sent);
        push(samples.welcome, members.length, (keys.at(-1) ?? Number.NaN) - welcomeAt);
      }
    }
    // Then they leave, the last first: each leave is one Remove commit by the lowest leaf.
    while (members.length > 1) {
      const leaver = members.pop();
      if (leaver === undefined) break;
      const commits = commitSentAt(members);
      leaver.groups.leave(groupId);
      epoch += 1;
      const keys = await Promise.all(members.map((core) => core.keysAt(groupId, epoch)));
      const sent = await commits.at(epoch);
      commits.stop();
      if (timed) push(samples.remove, members.length + 1, Math.max(...keys) - sent);
    }
    owner.groups.end(groupId);
  }
  for (const core of cores) await core.close();
  return samples;
}

function row(size: number, what: string, values: readonly number[], goal: boolean): string[] {
  const p99 = percentile(values, 99);
  return [`${size}`, what, ms(median(values)), ms(p99), ms(Math.max(...values)), goal ? `≤ ${GOAL_P99_MS} ms p99: ${verdict(p99 <= GOAL_P99_MS)}` : '–'];
}

export async function runGroupsBench(): Promise<BenchSection> {
  loads.length = 0;
  loads.push(`start ${load()}`);
  const kp = await keyPackageSamples();
  // Lifted so the rounds measure the rekey, not the per-connection limiter or the connect rate.
  const server = await startServerProcess({
    args: ['--log-level', 'warn', '--invite-timeout', '600s', '--rate-limit', '1000000', '--rate-burst', '1000000', '--connect-rate-per-address', '1000000', '--connect-burst-per-address', '1000000'],
  });
  const rows: string[][] = [];
  try {
    const users: EnrolledUser[] = [];
    for (let i = 0; i < SIZE; i++) {
      const user = await enrollUser(server, `member-${i}`);
      user.client.close();
      users.push(user);
    }
    const samples = await groupSamples(server, users);
    loads.push(`end ${load()}`);
    for (const size of REPORTED) {
      const goal = GOAL_SIZES.includes(size);
      rows.push(row(size, 'Add: commit sent → all members and the joiner on the new keys', samples.add.get(size) ?? [], goal));
      rows.push(row(size, 'Remove: commit sent → all members left on the new keys', samples.remove.get(size) ?? [], goal));
      rows.push(row(size, "Add: Welcome at the joiner's core → its keys", samples.welcome.get(size) ?? [], false));
    }
  } finally {
    await server.stop();
    removeDataDir(server.dataDir);
  }
  const markdown = [
    'Real cores (OnlineSession, group-call manager, ts-mls 1.6.4, ciphersuite 0x0003) in one Node process and a real',
    `server process (SQLite) on loopback. ${ROUNDS} rounds after ${WARMUP} untimed ones; in each, the owner creates a group`,
    'call for 7 invitees, who accept one at a time (each accept: the lowest leaf fetches a KeyPackage and commits an Add',
    'with a Welcome), and then leave one at a time, the last joiner first (each leave: the lowest leaf commits a Remove).',
    'So every size from 2 to 8 is passed through growing and shrinking; "Members" is the size the commit makes (Add) or',
    'starts from (Remove). A rekey is timed from the committer handing the commit to its link (the manager\'s',
    "`beforeCommitSent` hook) to the last `keys` event for the new epoch, the joiner's included: it covers the server's",
    "ordering and fan-out, every member's commit processing (or the joiner's Welcome) and the epoch's key export. All",
    'the cores share one Node thread, so the members process a commit one after another; on separate machines they do',
    'it in parallel, so these are upper bounds. Goal (the issue): ≤ 300 ms p99 on loopback, for 4 and 8 members.',
    '',
    markdownTable(['Members', 'Step', 'p50 ms', 'p99 ms', 'max ms', 'Goal'], rows),
    '',
    `KeyPackage generation: ${ms(median(kp))} ms per package (p99 ${ms(percentile(kp, 99))}), ${KEY_PACKAGE_BATCHES} batches of ${BATCH} + 1 last-resort.`,
    '',
    `Load average (1 / 5 / 15 min) on ${os.cpus().length} cores: ${loads.join('; ')}.`,
  ].join('\n');
  return { title: 'Group calls: rekey on loopback', markdown };
}

await printWhenRunDirectly(import.meta.url, runGroupsBench);
