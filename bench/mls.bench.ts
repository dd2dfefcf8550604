/**
 * The MLS key layer of group calls with ts-mls, ciphersuite 0x0003: KeyPackage generation, and
 * for groups of 4 and 8 the time to make a commit, to process it at another member and (for an
 * Add) to join from its Welcome, plus exporting the epoch's SFrame base key. Medians over rounds
 * that remove and re-add the last member. Run directly: `npx tsx bench/mls.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { GroupSession } from '../electron/core/group/group-session';
import { KeyPackageStore } from '../electron/core/group/key-packages';
import { generateIdentityKeyPair, type IdentityKeyPair } from '../shared/crypto/identity';
import { signGroupInvite, type GroupInvite } from '../shared/crypto/group-invite';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { QUICK } from './bench-browser';
import { markdownTable, median, percentile } from './bench-stats';

const ROUNDS = QUICK ? 4 : 20;
/** Untimed rounds first, so the JIT and ts-mls's lazy imports are warm. */
const WARMUP = 3;
const BATCH = 10;
const SIZES = [4, 8] as const;
const GROUP = 'bench-group';

interface Member {
  userId: string;
  identity: IdentityKeyPair;
  store: KeyPackageStore;
  packages: Uint8Array[];
}

function fmt(values: readonly number[]): string {
  return `${median(values).toFixed(1)} ms (p90 ${percentile(values, 90).toFixed(1)})`;
}

async function timed<T>(samples: number[], run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await run();
  samples.push(performance.now() - start);
  return value;
}

async function keyPackageSamples(): Promise<number[]> {
  const identity = await generateIdentityKeyPair();
  const store = new KeyPackageStore({ userId: 'kp', identity });
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    if (round === WARMUP) samples.length = 0;
    const start = performance.now();
    await store.generateBatch(BATCH);
    // A batch is BATCH one-time packages and one last-resort one.
    samples.push((performance.now() - start) / (BATCH + 1));
  }
  store.wipe();
  return samples;
}

async function groupRows(size: number): Promise<string[][]> {
  const members: Member[] = [];
  for (let i = 0; i < size; i++) {
    const identity = await generateIdentityKeyPair();
    const store = new KeyPackageStore({ userId: `u${i}`, identity });
    const batch = await store.generateBatch(ROUNDS + WARMUP + 2);
    members.push({ userId: `u${i}`, identity, store, packages: [...batch.oneTime] });
  }
  const pins = new Map(members.map((member) => [member.userId, member.identity.publicKey] as const));
  const pinnedKey = (id: string) => pins.get(id) ?? null;
  const [owner, ...rest] = members;
  if (owner === undefined) throw new Error('no owner');
  const invite: GroupInvite = { groupId: GROUP, owner: owner.userId, invitees: rest.map((m) => m.userId), media: 'video', issuedAt: Date.now() };
  const signed = { invite, signature: await signGroupInvite(owner.identity.secretKey, invite) };
  const options = (member: Member) => ({ groupId: GROUP, owner: owner.userId, self: { userId: member.userId, identity: member.identity }, pinnedKey });
  const sessions: GroupSession[] = [await GroupSession.create(options(owner), signed)];
  const fetch = (member: Member) => {
    const keyPackage = member.packages.shift();
    if (keyPackage === undefined) throw new Error('out of KeyPackages');
    return { userId: member.userId, keyPackage };
  };
  const add = async (member: Member, samples?: { commit: number[]; process: number[]; join: number[] }) => {
    const committer = sessions[0];
    if (committer === undefined) throw new Error('no committer');
    const outgoing = samples === undefined ? await committer.commitAdd([fetch(member)]) : await timed(samples.commit, () => committer.commitAdd([fetch(member)]));
    for (const [i, session] of sessions.entries()) {
      if (samples !== undefined && i === 1) await timed(samples.process, () => session.handleCommit(outgoing.commit));
      else await session.handleCommit(outgoing.commit);
    }
    if (outgoing.welcome === undefined) throw new Error('no Welcome');
    const welcome = outgoing.welcome;
    const join = () => GroupSession.join(options(member), welcome, member.store, [signed]);
    sessions.push(samples === undefined ? await join() : await timed(samples.join, join));
  };
  for (const member of rest) await add(member);

  const addSamples = { commit: [] as number[], process: [] as number[], join: [] as number[] };
  const removeSamples = { commit: [] as number[], process: [] as number[] };
  const exportSamples: number[] = [];
  const last = rest[rest.length - 1];
  if (last === undefined) throw new Error('group too small');
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    if (round === WARMUP) {
      for (const samples of [addSamples.commit, addSamples.process, addSamples.join, removeSamples.commit, removeSamples.process, exportSamples]) samples.length = 0;
    }
    const committer = sessions[0];
    const other = sessions[1];
    if (committer === undefined || other === undefined) throw new Error('group too small');
    const outgoing = await timed(removeSamples.commit, () => committer.commitRemove([last.userId]));
    for (const session of sessions) {
      if (session === other) await timed(removeSamples.process, () => session.handleCommit(outgoing.commit));
      else await session.handleCommit(outgoing.commit);
    }
    sessions.pop();
    await add(last, addSamples);
    const keys = await timed(exportSamples, () => other.epochKeys());
    keys.baseKey.fill(0);
  }
  for (const session of sessions) session.wipe();
  return [
    [`${size}`, 'Add (1 member)', fmt(addSamples.commit), fmt(addSamples.process), fmt(addSamples.join)],
    [`${size}`, 'Remove (1 member)', fmt(removeSamples.commit), fmt(removeSamples.process), '–'],
    [`${size}`, 'Epoch keys (exporter + code)', '–', fmt(exportSamples), '–'],
  ];
}

export async function runMlsBench(): Promise<BenchSection> {
  const kp = await keyPackageSamples();
  const rows: string[][] = [];
  for (const size of SIZES) rows.push(...(await groupRows(size)));
  const markdown = [
    `ts-mls 1.6.4, ciphersuite 0x0003, one Node process, ${ROUNDS} rounds after ${WARMUP} untimed ones, medians (p90).`,
    'Commits are encrypted (PrivateMessage) with the ratchet tree in the Welcome; "process" is one other',
    'member. An Add-only commit carries no update path (RFC 9420 §12.4), a Remove does: it costs more.',
    '',
    `KeyPackage generation: ${fmt(kp)} per package (batches of ${BATCH} + 1 last-resort).`,
    '',
    markdownTable(['Members', 'Operation', 'Make commit', 'Process at a member', 'Join from Welcome'], rows),
  ].join('\n');
  return { title: 'MLS key layer (group calls)', markdown };
}

await printWhenRunDirectly(import.meta.url, runMlsBench);
