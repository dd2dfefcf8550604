/*
 * Test support: a real core host per user, in this process, with its own data directory and the
 * passphrase sealer, talking to a real server process. Events are recorded so a test can wait for
 * the one it expects instead of sleeping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_WATCHED_CONTACTS, type CallKeys, type IdentityStatus, type CallView, type EventChannel, type EventOf, type IpcResult } from '../../../shared/ipc';
import type { SignalData } from '../../../shared/protocol';
import type { GroupCallTuning } from '../group/group-call-manager';
import { createHost, type Host } from '../host';
import { PWHASH_INTERACTIVE } from '../keystore/passphrase-sealer';
import type { Notification, NotifySink } from '../ports';

export const PASSPHRASE = 'correct horse battery staple';

export const FAST_TUNING = {
  pwhash: PWHASH_INTERACTIVE,
  timeouts: { ringTimeoutMs: 3_000, connectTimeoutMs: 5_000, backoff: { baseMs: 100, maxMs: 400 } },
};

export class UserHost {
  readonly host: Host;
  readonly notifications: Notification[] = [];
  private readonly events: { event: EventChannel; payload: unknown }[] = [];
  private waiters: { test: (event: EventChannel, payload: unknown) => boolean; resolve: (payload: unknown) => void }[] = [];
  private watched = '';

  constructor(
    readonly name: string,
    readonly dataDir: string = mkdtempSync(path.join(tmpdir(), `sealcall-host-${name}-`)),
    /** Like a renderer showing every row: follow the presence of the first contacts listed. False: show none. */
    private readonly watchAll = true,
    /** The group-call manager's tuning; the test may change it between steps. */
    readonly groupTuning: GroupCallTuning = {},
  ) {
    const notify: NotifySink = {
      show: (notification) => this.notifications.push(notification),
      presence: () => undefined,
    };
    this.host = createHost({ kind: 'harness', version: '0.0.0-test', dataDir, osSealer: null, notify, enterpriseConfigPath: path.join(dataDir, 'no-enterprise-config.json') }, { tuning: { ...FAST_TUNING, groups: groupTuning } });
    const channels: EventChannel[] = ['identity.changed', 'connection.changed', 'contacts.changed', 'call.event', 'group.event', 'history.changed'];
    for (const channel of channels) {
      this.host.on(channel, (payload) => {
        if (channel === 'contacts.changed') this.watchShown(payload as EventOf<'contacts.changed'>);
        this.events.push({ event: channel, payload });
        this.waiters = this.waiters.filter((waiter) => {
          if (!waiter.test(channel, payload)) return true;
          waiter.resolve(payload);
          return false;
        });
      });
    }
  }

  /** Invokes and unwraps: throws with the error code on failure. */
  async call(channel: string, payload?: unknown): Promise<unknown> {
    const result: IpcResult = await this.host.invoke(channel, payload);
    if (!result.ok) throw Object.assign(new Error(`${channel}: ${result.error.code}: ${result.error.message}`), { code: result.error.code });
    return result.value;
  }

  /** Resolves with the first event (already seen or future) that passes `test`. */
  waitFor<E extends EventChannel>(event: E, test: (payload: EventOf<E>) => boolean = () => true, timeoutMs = 8_000): Promise<EventOf<E>> {
    const seen = this.events.find((entry) => entry.event === event && test(entry.payload as EventOf<E>));
    if (seen) return Promise.resolve(seen.payload as EventOf<E>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name}: no ${event} event in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        test: (channel, payload) => channel === event && test(payload as EventOf<E>),
        resolve: (payload) => {
          clearTimeout(timer);
          resolve(payload as EventOf<E>);
        },
      });
    });
  }

  /** Every event recorded so far, of every channel, in the order they came. */
  timeline(): { event: EventChannel; payload: unknown }[] {
    return [...this.events];
  }

  /** Every `event` recorded so far, in order. */
  seen<E extends EventChannel>(event: E): EventOf<E>[] {
    return this.events.filter((entry) => entry.event === event).map((entry) => entry.payload as EventOf<E>);
  }

  /** The first call view (already seen or future) that passes `test`. */
  async waitForView(test: (view: CallView) => boolean, timeoutMs?: number): Promise<CallView> {
    const event = await this.waitFor('call.event', (candidate) => candidate.kind === 'view' && test(candidate.view), timeoutMs);
    if (event.kind !== 'view') throw new Error('not a view');
    return event.view;
  }

  /** The keys of call `callId` (already seen or future). */
  async waitForKeys(callId: string, timeoutMs?: number): Promise<CallKeys> {
    const event = await this.waitFor('call.event', (candidate) => candidate.kind === 'keys' && candidate.callId === callId, timeoutMs);
    if (event.kind !== 'keys') throw new Error('not keys');
    return event.keys;
  }

  /** The first relayed signal (already seen or future) that passes `test`. */
  async waitForSignal(test: (data: SignalData) => boolean = () => true, timeoutMs?: number): Promise<{ callId: string; data: SignalData }> {
    const event = await this.waitFor('call.event', (candidate) => candidate.kind === 'signal' && test(candidate.data), timeoutMs);
    if (event.kind !== 'signal') throw new Error('not a signal');
    return { callId: event.callId, data: event.data };
  }

  /** What a renderer does with the rows it shows (contacts.watch). */
  private watchShown(contacts: EventOf<'contacts.changed'>): void {
    if (!this.watchAll) return;
    const userIds = contacts.slice(0, MAX_WATCHED_CONTACTS).map((contact) => contact.id);
    if (userIds.join('\n') === this.watched) return;
    this.watched = userIds.join('\n');
    void this.host.invoke('contacts.watch', { userIds });
  }

  /** Forgets recorded events, so the next waitFor sees only what happens from now on. */
  forget(): void {
    this.events.length = 0;
  }

  async close(removeData = true): Promise<void> {
    await this.host.close();
    if (removeData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A fresh host for `userId`, enrolled through `link` (an invite the test made) and online. The host
 * joins `hosts`, for the caller's afterAll to close.
 */
export async function enrolledHost(link: string, hosts: UserHost[], userId: string, waitMs: number): Promise<UserHost> {
  const user = new UserHost(userId);
  hosts.push(user);
  const status = (await user.call('identity.enroll', { link, deviceName: `${userId}'s laptop`, passphrase: PASSPHRASE })) as IdentityStatus;
  if (status.state !== 'ready' || status.userId !== userId) throw new Error(`enrollment of ${userId} ended ${JSON.stringify(status)}`);
  await user.waitFor('connection.changed', (state) => state.state === 'online', waitMs);
  return user;
}
