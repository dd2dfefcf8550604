/**
 * Real cores in Node for the group benchmarks and the hostile-server tests: an OnlineSession each
 * (server link, contact book pinned from the directory, group-call manager with ts-mls) in this
 * process, against a real server process. Every group event is kept with the time it was emitted,
 * so one clock times a commit from the committer's send to the last member's keys.
 */
import { performance } from 'node:perf_hooks';
import type { CallEvent, Contact } from '../../shared/ipc';
import type { EnrolledUser } from '../../server/test-support/harness.fixture';
import type { GroupCallEvent, GroupCallView, GroupMediaKeys } from '../../electron/core/group/group-call-events';
import type { GroupCallTuning } from '../../electron/core/group/group-call-manager';
import { OnlineSession } from '../../electron/core/session/online-session';

/** Only bounds a step that never happens (a bug), so the bench fails instead of hanging. */
const STEP_LIMIT_MS = 60_000;

export interface TimedEvent {
  readonly at: number;
  /** This process's CPU time so far (user + system, ms) when the event came out. */
  readonly cpu: number;
  readonly event: GroupCallEvent;
}

export class NodeGroupCore {
  readonly events: TimedEvent[] = [];
  /** The 1:1 call events, for tests that turn a 1:1 call into a group call. */
  readonly callEvents: CallEvent[] = [];
  readonly tuning: GroupCallTuning = {};
  readonly session: OnlineSession;
  /** When a group.welcome reached this core's manager (performance.now()), per group. */
  readonly welcomeAt = new Map<string, number>();
  readonly online: Promise<void>;
  #waiters: { test: (event: GroupCallEvent) => boolean; resolve: (timed: TimedEvent) => void }[] = [];
  #contactWaiters: { test: (contacts: readonly Contact[]) => boolean; resolve: () => void }[] = [];

  constructor(
    readonly user: Pick<EnrolledUser, 'userId' | 'keys'>,
    serverUrl: string,
  ) {
    let online: () => void = () => undefined;
    this.online = new Promise((resolve) => (online = resolve));
    this.session = new OnlineSession({
      identity: { userId: user.userId, displayName: user.userId, serverUrl, keyPair: user.keys, sealer: 'passphrase' },
      pins: { lostAt: null, pins: [] },
      savePins: () => undefined,
      groups: this.tuning,
      events: {
        connection: (state) => {
          if (state.state === 'online') online();
        },
        contacts: (contacts) => {
          this.#contactWaiters = this.#contactWaiters.filter((waiter) => {
            if (!waiter.test(contacts)) return true;
            waiter.resolve();
            return false;
          });
        },
        'call.event': (event) => {
          this.callEvents.push(event);
        },
        callEnded: () => undefined,
        incomingCall: () => undefined,
        'group.event': (event) => {
          const used = process.cpuUsage();
          const timed = { at: performance.now(), cpu: (used.user + used.system) / 1000, event };
          this.events.push(timed);
          this.#waiters = this.#waiters.filter((waiter) => {
            if (!waiter.test(event)) return true;
            waiter.resolve(timed);
            return false;
          });
        },
      },
    });
    // Observes (and passes on unchanged) what the server sends the manager: the Welcome's arrival
    // starts the joiner's Welcome-processing time.
    const manager = this.session.groups;
    const receive = manager.receive.bind(manager);
    manager.receive = (message) => {
      if (message.type === 'group.welcome') this.welcomeAt.set(message.groupId, performance.now());
      receive(message);
    };
  }

  get id(): string {
    return this.user.userId;
  }

  get groups() {
    return this.session.groups;
  }

  /**
   * The DTLS certificate fingerprint this core's page would run (one per user): group.create and
   * accept bind it for the pairs; no media runs here, so it only has to be well formed.
   */
  get fingerprint(): string {
    const bytes = Array.from({ length: 32 }, (_, i) => ((this.id.length * 31 + this.id.charCodeAt(i % this.id.length) + i) % 256).toString(16).padStart(2, '0').toUpperCase());
    return `sha-256 ${bytes.join(':')}`;
  }

  knows(ids: readonly string[]): Promise<void> {
    if (ids.every((id) => this.session.contacts.peer(id) !== undefined)) return Promise.resolve();
    return this.contactWhere((contacts) => ids.every((id) => contacts.some((contact) => contact.id === id)), `contacts ${ids.join(', ')}`);
  }

  /** Resolves at the first contact list (from now on) that passes `test`. */
  contactWhere(test: (contacts: readonly Contact[]) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.id}: no ${what} within ${STEP_LIMIT_MS / 1000} s`));
      }, STEP_LIMIT_MS);
      this.#contactWaiters.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** The first event (already seen or still to come) that passes `test`, with when it came. */
  waitFor(test: (event: GroupCallEvent) => boolean, what: string): Promise<TimedEvent> {
    const seen = this.events.find((timed) => test(timed.event));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.id}: no ${what} within ${STEP_LIMIT_MS / 1000} s`));
      }, STEP_LIMIT_MS);
      this.#waiters.push({
        test,
        resolve: (timed) => {
          clearTimeout(timer);
          resolve(timed);
        },
      });
    });
  }

  async view(groupId: string, test: (view: GroupCallView) => boolean, what: string): Promise<GroupCallView> {
    const { event } = await this.waitFor((e) => e.kind === 'view' && e.groupId === groupId && test(e.view), `${what} view`);
    if (event.kind !== 'view') throw new Error('not a view');
    return event.view;
  }

  /** When this core's keys for `epoch` came out; the base key is zeroed (nothing here uses it). */
  async keysAt(groupId: string, epoch: number): Promise<number> {
    return (await this.keysTimed(groupId, epoch)).at;
  }

  /** The event that gave this core's keys for `epoch`, with its times; the base key is zeroed. */
  async keysTimed(groupId: string, epoch: number): Promise<TimedEvent> {
    const timed = await this.waitFor((e) => e.kind === 'keys' && e.groupId === groupId && e.keys.epoch === epoch, `keys of epoch ${epoch}`);
    if (timed.event.kind === 'keys') timed.event.keys.baseKey.fill(0);
    return timed;
  }

  async keys(groupId: string, epoch: number): Promise<GroupMediaKeys> {
    const { event } = await this.waitFor((e) => e.kind === 'keys' && e.groupId === groupId && e.keys.epoch === epoch, `keys of epoch ${epoch}`);
    if (event.kind !== 'keys') throw new Error('not keys');
    return event.keys;
  }

  /** Every epoch's keys this core was given for the group, in order. */
  keysOf(groupId: string): GroupMediaKeys[] {
    return this.events.flatMap(({ event }) => (event.kind === 'keys' && event.groupId === groupId ? [event.keys] : []));
  }

  viewsOf(groupId: string): GroupCallView[] {
    return this.events.flatMap(({ event }) => (event.kind === 'view' && event.groupId === groupId ? [event.view] : []));
  }

  refusals(groupId: string): Extract<GroupCallEvent, { kind: 'refused' }>[] {
    return this.events.flatMap(({ event }) => (event.kind === 'refused' && event.groupId === groupId ? [event] : []));
  }

  /** Forgets the events so far: a long run keeps only what it still waits for. */
  forget(): void {
    this.events.length = 0;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
