/**
 * A rekey member whose core runs in a child process of its own (group-rekey-child.ts, under tsx):
 * one process per member, as one laptop per member, so the members apply a commit in parallel and
 * not one after another on one thread. Processes rather than worker_threads: a worker shares its
 * process's allocator and libuv pool with the others, a laptop shares nothing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { EnrolledUser } from '../server/test-support/harness.fixture';
import type { Arrival, CommitSent, Keyed, RekeyMember } from './group-rekey-member';
import { isFromChild, type MemberCall, type ToChild } from './group-rekey-rpc';

const CHILD = path.join(import.meta.dirname, 'group-rekey-child.ts');
/**
 * Only bounds a call that never comes back (a bug), so the bench fails instead of hanging; long,
 * because the first call waits for tsx to compile the core in eight processes at once.
 */
const CALL_LIMIT_MS = 600_000;

function isTimes(value: unknown): value is { at: number; cpu: number } {
  return typeof value === 'object' && value !== null && 'at' in value && typeof value.at === 'number' && 'cpu' in value && typeof value.cpu === 'number';
}

export class ForkedRekeyMember implements RekeyMember {
  readonly id: string;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextRef = 1;
  /** Messages held until the child says it listens. */
  #queued: ToChild[] | null = [];

  constructor(user: Pick<EnrolledUser, 'userId' | 'keys'>, serverUrl: string, onCommitSent: CommitSent) {
    this.id = user.userId;
    this.#child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (message: unknown) => {
      if (!isFromChild(message)) {
        // Ends only this member's process: its pending calls fail with the exit below.
        process.stderr.write(`bench groups: ${this.id}'s process sent a malformed message; stopping it\n`);
        this.#child.kill('SIGKILL');
        return;
      }
      if (message.kind === 'listening') {
        const queued = this.#queued ?? [];
        this.#queued = null;
        for (const held of queued) this.#child.send(held);
        return;
      }
      if (message.kind === 'sent') {
        onCommitSent(message.groupId, message.epoch, message.at);
        return;
      }
      const pending = this.#pending.get(message.ref);
      this.#pending.delete(message.ref);
      if (message.kind === 'answer') pending?.resolve(message.value);
      else pending?.reject(new Error(`${this.id}: ${message.error}`));
    });
    this.#child.once('exit', (code, signal) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`${this.id}'s process exited (${String(code ?? signal)})`));
      this.#pending.clear();
    });
    this.#post({ kind: 'start', start: { userId: user.userId, keys: user.keys, serverUrl } });
  }

  /** The child's process id, for its CPU time. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  #post(message: ToChild): void {
    if (this.#queued !== null) this.#queued.push(message);
    else this.#child.send(message);
  }

  #call(call: MemberCall): Promise<unknown> {
    const ref = this.#nextRef++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        reject(new Error(`${this.id}: no answer to ${call.op} within ${String(CALL_LIMIT_MS / 1000)} s`));
      }, CALL_LIMIT_MS);
      this.#pending.set(ref, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#post({ kind: 'call', ref, call });
    });
  }

  async #void(call: MemberCall): Promise<void> {
    await this.#call(call);
  }

  ready(others: readonly string[]): Promise<void> {
    return this.#void({ op: 'ready', others });
  }

  create(groupId: string, invitees: readonly string[]): Promise<void> {
    return this.#void({ op: 'create', groupId, invitees });
  }

  ringing(groupId: string): Promise<void> {
    return this.#void({ op: 'ringing', groupId });
  }

  accept(groupId: string): Promise<void> {
    return this.#void({ op: 'accept', groupId });
  }

  leave(groupId: string): Promise<void> {
    return this.#void({ op: 'leave', groupId });
  }

  end(groupId: string): Promise<void> {
    return this.#void({ op: 'end', groupId });
  }

  async keysAt(groupId: string, epoch: number): Promise<Keyed> {
    const keyed = await this.#call({ op: 'keysAt', groupId, epoch });
    if (!isTimes(keyed)) throw new Error(`${this.id}: keysAt answered a malformed time`);
    return { at: keyed.at, cpu: keyed.cpu };
  }

  async arrivalOf(groupId: string, epoch: number): Promise<Arrival | null> {
    const arrival = await this.#call({ op: 'arrivalOf', groupId, epoch });
    if (arrival === null) return null;
    if (!isTimes(arrival)) throw new Error(`${this.id}: arrivalOf answered a malformed arrival`);
    return { at: arrival.at, cpu: arrival.cpu, kind: 'kind' in arrival && arrival.kind === 'welcome' ? 'welcome' : 'commit' };
  }

  forget(): Promise<void> {
    return this.#void({ op: 'forget' });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => { resolve(); }));
    await this.#void({ op: 'close' }).catch(() => undefined);
    // A child that closed its session ends on its own; one that did not is not left behind.
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
