/**
 * The rounds of the rekey benchmark, whatever runs the members' cores (this process or one process
 * each): a group call grown to its full size one accept at a time, then emptied one leave at a
 * time, every commit timed from its committer's send to the last member's keys for the new epoch.
 */
import { randomCallId } from '../server/test-support/harness.fixture';
import type { Arrival, CommitSent, Keyed, RekeyMember } from './group-rekey-member';

/** When each commit left its committer, by group and the epoch it makes; the first send counts. */
export class CommitClock {
  readonly #sent = new Map<string, number>();
  readonly #waiting = new Map<string, (at: number) => void>();

  readonly record: CommitSent = (groupId, epoch, at) => {
    const key = `${groupId} ${String(epoch)}`;
    if (this.#sent.has(key)) return;
    this.#sent.set(key, at);
    this.#waiting.get(key)?.(at);
    this.#waiting.delete(key);
  };

  at(groupId: string, epoch: number): Promise<number> {
    const key = `${groupId} ${String(epoch)}`;
    const known = this.#sent.get(key);
    return known !== undefined ? Promise.resolve(known) : new Promise((resolve) => this.#waiting.set(key, resolve));
  }

  forget(): void {
    this.#sent.clear();
  }
}

/** Samples by group size: the Add that made a group of that size, the Remove that left one of that size less. */
export type BySize = Map<number, number[]>;

export interface RekeySamples {
  add: BySize;
  remove: BySize;
  /** The joiner: its Welcome's arrival → its keys. */
  welcome: BySize;
  /** The last member to key, Add and Remove alike: commit sent → the commit (or Welcome) reached it (server ordering, fan-out, the link). */
  toLast: BySize;
  /** The same member: the commit (or Welcome) reached it → its keys (ts-mls processing and the key export in its core). */
  lastApplies: BySize;
  /**
   * The most CPU time any member's process spent from the commit (or Welcome) reaching it to its
   * keys: what the slowest member needs with a core to itself. Meaningful only with a process per
   * member (in one process it counts every core's work).
   */
  applyCpu: BySize;
}

export function emptySamples(): RekeySamples {
  return { add: new Map(), remove: new Map(), welcome: new Map(), toLast: new Map(), lastApplies: new Map(), applyCpu: new Map() };
}

function push(samples: BySize, size: number, value: number): void {
  const list = samples.get(size) ?? [];
  list.push(value);
  samples.set(size, list);
}

interface Rekeyed {
  /** When the last member keyed, and which. */
  last: number;
  lastMember: RekeyMember;
  keys: Keyed[];
}

/** The whole group's keys for `epoch`, and which member keyed last. */
async function rekeyed(members: readonly RekeyMember[], groupId: string, epoch: number): Promise<Rekeyed> {
  const keys = await Promise.all(members.map((member) => member.keysAt(groupId, epoch)));
  const times = keys.map((keyed) => keyed.at);
  const last = Math.max(...times);
  const lastMember = members[times.indexOf(last)];
  if (lastMember === undefined) throw new Error('no member keyed');
  return { last, lastMember, keys };
}

async function arrivalAt(member: RekeyMember, groupId: string, epoch: number): Promise<Arrival> {
  const arrival = await member.arrivalOf(groupId, epoch);
  // Every member, the committer too, keys on a message from the server; none came only if a bug skipped it.
  if (arrival === null) throw new Error(`${member.id} has keys of epoch ${String(epoch)} but no commit or Welcome came`);
  return arrival;
}

async function split(samples: RekeySamples, size: number, sent: number, members: readonly RekeyMember[], keyed: Rekeyed, groupId: string, epoch: number): Promise<void> {
  const arrivals = await Promise.all(members.map((member) => arrivalAt(member, groupId, epoch)));
  const arrival = arrivals[members.indexOf(keyed.lastMember)];
  if (arrival === undefined) throw new Error('the last member is not in the call');
  push(samples.toLast, size, arrival.at - sent);
  push(samples.lastApplies, size, keyed.last - arrival.at);
  push(samples.applyCpu, size, Math.max(...arrivals.map((reached, index) => (keyed.keys[index]?.cpu ?? Number.NaN) - reached.cpu)));
}

/** One round on `members` (owner first): grow to all of them, then empty; adds to `samples` when `timed`. */
export async function rekeyRound(members: readonly RekeyMember[], clock: CommitClock, samples: RekeySamples, timed: boolean): Promise<void> {
  const [owner, ...rest] = members;
  if (owner === undefined || rest.length === 0) throw new Error('a group needs an owner and an invitee');
  await Promise.all(members.map((member) => member.forget()));
  clock.forget();
  const groupId = randomCallId();
  await owner.create(groupId, rest.map((member) => member.id));
  let epoch = 0;
  const inCall = [owner];
  // Joins one at a time: each accept is one Add commit by the lowest leaf.
  for (const joiner of rest) {
    await joiner.ringing(groupId);
    await joiner.accept(groupId);
    inCall.push(joiner);
    epoch += 1;
    const keyed = await rekeyed(inCall, groupId, epoch);
    const sent = await clock.at(groupId, epoch);
    if (!timed) continue;
    push(samples.add, inCall.length, keyed.last - sent);
    const welcome = await joiner.arrivalOf(groupId, epoch);
    if (welcome?.kind !== 'welcome') throw new Error(`${joiner.id} has keys of epoch ${String(epoch)} but no Welcome came`);
    push(samples.welcome, inCall.length, (await joiner.keysAt(groupId, epoch)).at - welcome.at);
    await split(samples, inCall.length, sent, inCall, keyed, groupId, epoch);
  }
  // Then they leave, the last first: each leave is one Remove commit by the lowest leaf.
  while (inCall.length > 1) {
    const leaver = inCall.pop();
    if (leaver === undefined) break;
    await leaver.leave(groupId);
    epoch += 1;
    const keyed = await rekeyed(inCall, groupId, epoch);
    const sent = await clock.at(groupId, epoch);
    if (!timed) continue;
    push(samples.remove, inCall.length + 1, keyed.last - sent);
    await split(samples, inCall.length + 1, sent, inCall, keyed, groupId, epoch);
  }
  await owner.end(groupId);
}
