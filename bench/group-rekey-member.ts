/**
 * One member of the rekey benchmark: a real core (bench's NodeGroupCore: OnlineSession, group-call
 * manager, ts-mls) behind a small async face, so the rounds drive a core in this process and a core
 * in a child process (group-rekey-child.ts) the same way. Times are wall-clock milliseconds
 * (performance.timeOrigin + performance.now()), which every process of one machine shares, so a
 * commit sent in one process is timed against keys that came out in another.
 */
import { performance } from 'node:perf_hooks';
import type { EnrolledUser } from '../server/test-support/harness.fixture';
import { NodeGroupCore } from '../e2e/harness/group-cores';

export const wallClock = (): number => performance.timeOrigin + performance.now();

/** A commit leaving its committer: the epoch it makes and when. */
export type CommitSent = (groupId: string, epoch: number, at: number) => void;

/** When the commit (group.committed, the committer's own confirmation included) or Welcome (group.welcome) that makes an epoch reached a member's manager. */
export interface Arrival {
  readonly at: number;
  readonly kind: 'commit' | 'welcome';
  /** The member's process's CPU time so far (ms) at that moment. */
  readonly cpu: number;
}

/** When a member's keys for an epoch came out, and its process's CPU time so far (ms) then. */
export interface Keyed {
  readonly at: number;
  readonly cpu: number;
}

const cpuMs = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

export interface RekeyMember {
  readonly id: string;
  /** Online, seeing the others, KeyPackages published. */
  ready(others: readonly string[]): Promise<void>;
  create(groupId: string, invitees: readonly string[]): Promise<void>;
  /** Resolves once the group's ring has reached this member. */
  ringing(groupId: string): Promise<void>;
  accept(groupId: string): Promise<void>;
  leave(groupId: string): Promise<void>;
  end(groupId: string): Promise<void>;
  /** When this member's `keys` event for `epoch` came out (waits for it). */
  keysAt(groupId: string, epoch: number): Promise<Keyed>;
  /** When the message making `epoch` (the committer's confirmation, for the committer) reached this member; null if none did. */
  arrivalOf(groupId: string, epoch: number): Promise<Arrival | null>;
  /** Forgets the events so far: a long run keeps only what it still waits for. */
  forget(): Promise<void>;
  close(): Promise<void>;
}

/** A member whose core runs in this process. */
export class LocalRekeyMember implements RekeyMember {
  readonly #core: NodeGroupCore;
  readonly #arrivals = new Map<string, Arrival>();

  constructor(user: Pick<EnrolledUser, 'userId' | 'keys'>, serverUrl: string, onCommitSent: CommitSent) {
    this.#core = new NodeGroupCore(user, serverUrl);
    this.#core.tuning.beforeCommitSent = (groupId, epoch) => {
      // The hook's epoch is the one the commit is made in; it makes epoch + 1.
      onCommitSent(groupId, epoch + 1, wallClock());
      return Promise.resolve();
    };
    // Observes (and passes on unchanged) what the server hands the manager, to split a rekey into
    // the server's part (sent → arrived) and the member's own (arrived → keys).
    const manager = this.#core.groups;
    const receive = manager.receive.bind(manager);
    manager.receive = (message) => {
      if (message.type === 'group.committed' || message.type === 'group.welcome') {
        // Both carry the epoch the commit was made in; they make the next one (docs/protocol.md).
        this.#arrivals.set(`${message.groupId} ${String(message.epoch + 1)}`, { at: wallClock(), kind: message.type === 'group.welcome' ? 'welcome' : 'commit', cpu: cpuMs() });
      }
      receive(message);
    };
  }

  get id(): string {
    return this.#core.id;
  }

  async ready(others: readonly string[]): Promise<void> {
    await this.#core.online;
    await this.#core.knows(others);
    await this.#core.groups.published();
  }

  async create(groupId: string, invitees: readonly string[]): Promise<void> {
    await this.#core.groups.create({ groupId, invitees, media: 'video', fingerprint: this.#core.fingerprint });
  }

  async ringing(groupId: string): Promise<void> {
    await this.#core.view(groupId, (view) => view.state === 'incoming', 'incoming');
  }

  accept(groupId: string): Promise<void> {
    this.#core.groups.accept(groupId, this.#core.fingerprint);
    return Promise.resolve();
  }

  leave(groupId: string): Promise<void> {
    this.#core.groups.leave(groupId);
    return Promise.resolve();
  }

  end(groupId: string): Promise<void> {
    this.#core.groups.end(groupId);
    return Promise.resolve();
  }

  async keysAt(groupId: string, epoch: number): Promise<Keyed> {
    const { at, cpu } = await this.#core.keysTimed(groupId, epoch);
    // NodeGroupCore times events with performance.now(); made wall-clock to compare across processes.
    return { at: performance.timeOrigin + at, cpu };
  }

  arrivalOf(groupId: string, epoch: number): Promise<Arrival | null> {
    return Promise.resolve(this.#arrivals.get(`${groupId} ${String(epoch)}`) ?? null);
  }

  forget(): Promise<void> {
    this.#core.forget();
    this.#arrivals.clear();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.#core.close();
  }
}
