import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { signGroupDtls } from '../../../shared/crypto/group-dtls';
import { signGroupInvite, type GroupInvite } from '../../../shared/crypto/group-invite';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import { PROTOCOL_VERSION, type SignalData } from '../../../shared/protocol';
import { enrollUser, randomCallId, removeDataDir, signIn, startServerProcess, type EnrolledUser, type ServerProcess } from '../../../server/test-support/harness.fixture';
import { OnlineSession } from '../session/online-session';
import type { GroupCallEvent, GroupCallView, GroupMediaKeys } from './group-call-events';
import type { GroupCallTuning } from './group-call-manager';
import { encodeInviteField } from './invite-wire';
import { KeyPackageStore } from './key-packages';

/*
 * Group calls between real cores (OnlineSession: server link, contact book pinned from the
 * directory, group-call manager) against a real server process with its SQLite store, with
 * ts-mls underneath. Mallory is a raw protocol client: she does what no honest app would.
 */

const v = PROTOCOL_VERSION;
const WAIT_MS = 20_000;

let server: ServerProcess;

const fingerprintOf = (userId: string) => `sha-256 ${Array.from({ length: 32 }, (_, i) => ((userId.charCodeAt(0) * 7 + i) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;

class Core {
  readonly events: GroupCallEvent[] = [];
  readonly tuning: GroupCallTuning = {};
  readonly session: OnlineSession;
  #waiters: { test: (event: GroupCallEvent) => boolean; resolve: (event: GroupCallEvent) => void }[] = [];
  #contactWaiters: { ids: string[]; resolve: () => void }[] = [];
  #online: () => void = () => undefined;
  readonly online = new Promise<void>((resolve) => (this.#online = resolve));

  constructor(readonly user: EnrolledUser) {
    user.client.close();
    this.session = new OnlineSession({
      identity: { userId: user.userId, displayName: user.userId, serverUrl: server.wsUrl, keyPair: user.keys, sealer: 'passphrase' },
      pins: { lostAt: null, pins: [] },
      savePins: () => undefined,
      groups: this.tuning,
      events: {
        connection: (state) => {
          if (state.state === 'online') this.#online();
        },
        contacts: (contacts) => {
          const ids = new Set(contacts.map((contact) => contact.id));
          this.#contactWaiters = this.#contactWaiters.filter((waiter) => {
            if (!waiter.ids.every((id) => ids.has(id))) return true;
            waiter.resolve();
            return false;
          });
        },
        'call.event': () => undefined,
        callEnded: () => undefined,
        incomingCall: () => undefined,
        'group.event': (event) => {
          this.events.push(event);
          this.#waiters = this.#waiters.filter((waiter) => {
            if (!waiter.test(event)) return true;
            waiter.resolve(event);
            return false;
          });
        },
      },
    });
  }

  get id(): string {
    return this.user.userId;
  }

  /** The DTLS certificate fingerprint this core's page would run (a different one per user). */
  get fingerprint(): string {
    return fingerprintOf(this.id);
  }

  get groups() {
    return this.session.groups;
  }

  knows(ids: string[]): Promise<void> {
    if (ids.every((id) => this.session.contacts.peer(id) !== undefined)) return Promise.resolve();
    return new Promise((resolve) => this.#contactWaiters.push({ ids, resolve }));
  }

  waitFor(test: (event: GroupCallEvent) => boolean, what: string): Promise<GroupCallEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.id}: no ${what} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.#waiters.push({
        test,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  async view(groupId: string, test: (view: GroupCallView) => boolean, what: string): Promise<GroupCallView> {
    const event = await this.waitFor((e) => e.kind === 'view' && e.groupId === groupId && test(e.view), `${what} view`);
    if (event.kind !== 'view') throw new Error('not a view');
    return event.view;
  }

  async keys(groupId: string, epoch: number): Promise<GroupMediaKeys> {
    const event = await this.waitFor((e) => e.kind === 'keys' && e.groupId === groupId && e.keys.epoch === epoch, `keys of epoch ${epoch}`);
    if (event.kind !== 'keys') throw new Error('not keys');
    return event.keys;
  }

  keysOf(groupId: string): GroupMediaKeys[] {
    return this.events.flatMap((e) => (e.kind === 'keys' && e.groupId === groupId ? [e.keys] : []));
  }

  refusals(groupId: string) {
    return this.events.flatMap((e) => (e.kind === 'refused' && e.groupId === groupId ? [e] : []));
  }

  signalsFrom(groupId: string, from: string): SignalData[] {
    return this.events.flatMap((e) => (e.kind === 'signal' && e.groupId === groupId && e.from === from ? [e.data] : []));
  }

  /** Waits for a relayed signal from `from` whose candidate or SDP contains `mark`. */
  async signal(groupId: string, from: string, mark: string): Promise<SignalData> {
    const event = await this.waitFor((e) => e.kind === 'signal' && e.groupId === groupId && e.from === from && JSON.stringify(e.data).includes(mark), `signal ${mark} from ${from}`);
    if (event.kind !== 'signal') throw new Error('not a signal');
    return event.data;
  }
}

const offer = (fingerprint: string, mark: string): SignalData => ({ type: 'offer', sdp: `v=0\r\no=- ${mark} 2 IN IP4 127.0.0.1\r\na=fingerprint:${fingerprint}\r\n` });
const answer = (fingerprint: string, mark: string): SignalData => ({ type: 'answer', sdp: `v=0\r\no=- ${mark} 2 IN IP4 127.0.0.1\r\na=fingerprint:${fingerprint}\r\n` });
const candidate = (mark: string): SignalData => ({ type: 'candidate', candidate: { candidate: `candidate:${mark} 1 udp 1 127.0.0.1 9 typ host`, sdpMid: '0' } });

let alice: Core;
let bob: Core;
let carol: Core;
let dave: Core;
let mallory: EnrolledUser;
const cores: Core[] = [];
const raw: EnrolledUser[] = [];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  server = await startServerProcess({ args: ['--call-grace', '3s'] });
  servers.push(server);
  const users: EnrolledUser[] = [];
  for (const id of ['alice', 'bob', 'carol', 'dave', 'mallory']) users.push(await enrollUser(server, id));
  raw.push(...users);
  mallory = users[4] as EnrolledUser;
  cores.push(...users.slice(0, 4).map((user) => new Core(user)));
  [alice, bob, carol, dave] = cores as [Core, Core, Core, Core];
  const all = [alice, bob, carol, dave];
  await Promise.all(all.map((core) => core.online));
  await Promise.all(all.map((core) => core.knows(['alice', 'bob', 'carol', 'dave', 'mallory'].filter((id) => id !== core.id))));
  await Promise.all(all.map((core) => core.groups.published()));
}, 60_000);

afterAll(async () => {
  // Whatever beforeAll got to start, even if it failed half-way.
  for (const core of cores) await core.session.close();
  for (const user of raw) user.client.close();
  for (const process of servers) {
    await process.stop();
    removeDataDir(process.dataDir);
  }
});

/**
 * Alice creates a group with `invitees`; each of `joiners` accepts once rung, after the one before
 * is in: one commit each, so the epochs count the joiners (joiners waiting together are added in
 * one commit, group-large.test.ts).
 */
async function startGroup(invitees: Core[], joiners: Core[]): Promise<string> {
  const groupId = randomCallId();
  await alice.groups.create({ groupId, invitees: invitees.map((core) => core.id), media: 'video', fingerprint: alice.fingerprint });
  for (const [index, joiner] of joiners.entries()) {
    await joiner.view(groupId, (view) => view.state === 'incoming', 'incoming');
    joiner.groups.accept(groupId, joiner.fingerprint);
    await joiner.keys(groupId, index + 1);
  }
  return groupId;
}

/** Every core's keys of `epoch`; they must agree on the base key, the senders and the code. */
async function converged(groupId: string, cores: Core[], epoch: number): Promise<GroupMediaKeys[]> {
  const keys = await Promise.all(cores.map((core) => core.keys(groupId, epoch)));
  const views = await Promise.all(cores.map((core) => core.view(groupId, (view) => view.epoch === epoch && view.securityCode !== null, `epoch ${epoch}`)));
  const [first, ...rest] = keys;
  if (first === undefined) throw new Error('no cores');
  for (const other of rest) {
    expect(toBase64Url(other.baseKey)).toBe(toBase64Url(first.baseKey));
    expect(other.senders).toEqual(first.senders);
  }
  expect(new Set(views.map((view) => view.securityCode)).size).toBe(1);
  expect(views[0]?.securityCode).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
  // Everyone has their own leaf, so their own SFrame sender index.
  expect(new Set(keys.map((key) => key.ownIndex)).size).toBe(cores.length);
  expect(first.senders.map((sender) => sender.userId).sort()).toEqual(cores.map((core) => core.id).sort());
  return keys;
}

async function endGroup(groupId: string, members: Core[]): Promise<void> {
  alice.groups.end(groupId);
  await Promise.all(members.filter((core) => core !== alice).map((core) => core.view(groupId, (view) => view.state === 'ended', 'ended')));
}

describe('group calls between real cores', () => {
  it('four members reach the same epoch, base key, senders and security code', async () => {
    const started = performance.now();
    const groupId = await startGroup([bob, carol, dave], [bob, carol, dave]);
    const keys = await converged(groupId, [alice, bob, carol, dave], 3);
    console.log(`group of 4 on loopback: create to everyone's epoch-3 keys in ${Math.round(performance.now() - started)} ms`);
    expect(keys[0]?.senders.find((sender) => sender.userId === 'alice')?.index).toBe(0);
    // Each epoch's code differs from the one before.
    const aliceCodes = alice.events.flatMap((e) => (e.kind === 'view' && e.groupId === groupId && e.view.securityCode !== null ? [e.view.securityCode] : []));
    expect(new Set(aliceCodes).size).toBe(4);
    // Events of a group are numbered without a gap.
    const seqs = bob.events.filter((e) => e.groupId === groupId).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await endGroup(groupId, [alice, bob, carol, dave]);
    expect(alice.groups.view(groupId)).toMatchObject({ state: 'ended', epoch: null, securityCode: null });
  }, 60_000);

  it('a member who leaves is removed: the others move on to keys the leaver never had', async () => {
    const groupId = await startGroup([bob, carol, dave], [bob, carol, dave]);
    await converged(groupId, [alice, bob, carol, dave], 3);
    const leaversLast = dave.keysOf(groupId).at(-1);
    dave.groups.leave(groupId);
    expect(dave.groups.view(groupId)).toMatchObject({ state: 'ended', endReason: 'left', epoch: null });
    const after = await converged(groupId, [alice, bob, carol], 4);
    expect(leaversLast?.epoch).toBe(3);
    expect(dave.keysOf(groupId).every((keys) => keys.epoch <= 3)).toBe(true);
    expect(dave.keysOf(groupId).some((keys) => toBase64Url(keys.baseKey) === toBase64Url(after[0]?.baseKey ?? new Uint8Array()))).toBe(false);
    await endGroup(groupId, [alice, bob, carol]);
  }, 60_000);

  it('a member who joins later gets nothing of the epochs before it', async () => {
    const groupId = await startGroup([bob, carol, dave], [bob, carol]);
    const before = await converged(groupId, [alice, bob, carol], 2);
    dave.groups.accept(groupId, dave.fingerprint);
    await converged(groupId, [alice, bob, carol, dave], 3);
    const daves = dave.keysOf(groupId);
    expect(daves.map((keys) => keys.epoch)).toEqual([3]);
    const earlier = [...alice.keysOf(groupId), ...before].filter((keys) => keys.epoch < 3).map((keys) => toBase64Url(keys.baseKey));
    expect(earlier.length).toBeGreaterThan(0);
    expect(daves.some((keys) => earlier.includes(toBase64Url(keys.baseKey)))).toBe(false);
    await endGroup(groupId, [alice, bob, carol, dave]);
  }, 60_000);

  it('the owner invites someone mid-call: the members accept the Add under the new signed list', async () => {
    const groupId = await startGroup([bob], [bob]);
    await converged(groupId, [alice, bob], 1);
    await alice.groups.invite(groupId, ['carol']);
    await bob.view(groupId, (view) => view.invitees.includes('carol'), 'carol invited');
    await carol.view(groupId, (view) => view.state === 'incoming', 'incoming');
    carol.groups.accept(groupId, carol.fingerprint);
    await converged(groupId, [alice, bob, carol], 2);
    await endGroup(groupId, [alice, bob, carol]);
  }, 60_000);

  it('two members committing at once: one wins, the other catches up and retries, and all converge', async () => {
    const groupId = await startGroup([bob, carol, dave], [bob, carol]);
    await converged(groupId, [alice, bob, carol], 2);
    // From here on every member commits a needed change at once, and each commit is held until
    // two members have made one for the same epoch: they reach the server together.
    const made = new Map<number, { committers: string[]; release: () => void; released: Promise<void> }>();
    const gate = (committer: string) => async (_group: string, epoch: number) => {
      let round = made.get(epoch);
      if (round === undefined) {
        let release: () => void = () => undefined;
        const released = new Promise<void>((resolve) => (release = resolve));
        round = { committers: [], release, released };
        made.set(epoch, round);
      }
      round.committers.push(committer);
      if (round.committers.length >= 2) round.release();
      await round.released;
    };
    for (const core of [alice, bob]) {
      core.tuning.everyoneCommits = true;
      core.tuning.beforeCommitSent = gate(core.id);
    }
    try {
      // Carol leaves (everyone removes her at epoch 2), then Dave joins (everyone adds him at 3).
      carol.groups.leave(groupId);
      await alice.view(groupId, (view) => !view.members.some((member) => member.userId === 'carol'), 'carol gone');
      dave.groups.accept(groupId, dave.fingerprint);
      await converged(groupId, [alice, bob, dave], 4);
    } finally {
      for (const core of [alice, bob]) {
        core.tuning.everyoneCommits = false;
        delete core.tuning.beforeCommitSent;
      }
    }
    // Both raced at each epoch; one commit per epoch was taken, so two changes made two epochs.
    expect(made.get(2)?.committers.sort()).toEqual(['alice', 'bob']);
    expect(made.get(3)?.committers.sort()).toEqual(['alice', 'bob']);
    expect(made.has(4)).toBe(false);
    for (const core of [alice, bob]) expect(core.keysOf(groupId).map((keys) => keys.epoch)).toEqual([...new Set(core.keysOf(groupId).map((keys) => keys.epoch))]);
    await endGroup(groupId, [alice, bob, dave]);
  }, 60_000);

  it('a forged Welcome is dropped and the real one still opens the group; a commit nobody can verify makes the member leave', async () => {
    const groupId = await startGroup([bob, carol], [bob]);
    await converged(groupId, [alice, bob], 1);
    await carol.view(groupId, (view) => view.state === 'incoming', 'incoming');
    carol.groups.accept(groupId, carol.fingerprint);
    // What a hostile server could slip in ahead of the real Welcome.
    carol.groups.receive({ v, type: 'group.welcome', groupId, epoch: 1, from: 'alice', welcome: toBase64Url(new Uint8Array(300).fill(3)) });
    await converged(groupId, [alice, bob, carol], 2);
    // A commit for the current epoch that does not verify: the member cannot follow the group any more.
    bob.groups.receive({ v, type: 'group.committed', groupId, epoch: 2, from: 'alice', commit: toBase64Url(new Uint8Array(200).fill(5)) });
    const gone = await bob.view(groupId, (view) => view.state === 'ended', 'ended');
    expect(gone).toMatchObject({ endReason: 'member-refused', epoch: null, securityCode: null });
    expect(bob.refusals(groupId)).toMatchObject([{ code: 'bad-message' }]);
    // The others remove Bob and go on.
    await converged(groupId, [alice, carol], 3);
    await endGroup(groupId, [alice, carol]);
  }, 60_000);

  it('a ring whose invite is not signed by the pinned key of its owner is refused and declined', async () => {
    const forger = await generateIdentityKeyPair();
    const asMallory = async (invite: GroupInvite, signWith: Uint8Array) => {
      mallory.client.send({
        v,
        type: 'group.create',
        groupId: invite.groupId,
        media: { audio: true, video: false },
        invitees: ['bob'],
        invite: encodeInviteField(invite),
        signature: toBase64Url(await signGroupInvite(signWith, invite)),
      });
      await mallory.client.next('group.rung', (m) => m.groupId === invite.groupId);
      const refused = await bob.waitFor((e) => e.kind === 'refused' && e.groupId === invite.groupId, 'refused ring');
      await mallory.client.next('group.declined', (m) => m.groupId === invite.groupId && m.userId === 'bob');
      mallory.client.send({ v, type: 'group.end', groupId: invite.groupId });
      await mallory.client.next('group.ended', (m) => m.groupId === invite.groupId);
      expect(bob.events.some((e) => e.kind === 'view' && e.groupId === invite.groupId)).toBe(false);
      return refused;
    };
    mallory.client = await reconnectMallory();
    // A key that is not Mallory's pinned one.
    const forged = await asMallory({ groupId: randomCallId(), owner: 'mallory', invitees: ['bob'], media: 'audio', issuedAt: Date.now() }, forger.secretKey);
    expect(forged).toMatchObject({ kind: 'refused', code: 'bad-invite', userId: 'mallory' });
    // Her own key, but posing as Alice's invite.
    const posing = await asMallory({ groupId: randomCallId(), owner: 'alice', invitees: ['bob'], media: 'audio', issuedAt: Date.now() }, mallory.keys.secretKey);
    expect(posing).toMatchObject({ kind: 'refused', code: 'bad-invite' });
  }, 60_000);

  it('a KeyPackage under another key than the pinned one is never added', async () => {
    // Mallory publishes KeyPackages under a key that is not the one the directory pinned for her.
    mallory.client = await reconnectMallory();
    const swapped = await new KeyPackageStore({ userId: 'mallory', identity: await generateIdentityKeyPair() }).generateBatch(2);
    mallory.client.send({ v, type: 'keys.publish', packages: swapped.oneTime.map(toBase64Url), lastResort: toBase64Url(swapped.lastResort) });
    await mallory.client.next('keys.published');
    alice.tuning.fallbackMs = 200;
    bob.tuning.fallbackMs = 200;
    try {
      const groupId = randomCallId();
      await alice.groups.create({ groupId, invitees: ['bob', 'mallory'], media: 'audio', fingerprint: alice.fingerprint });
      await bob.view(groupId, (view) => view.state === 'incoming', 'incoming');
      bob.groups.accept(groupId, bob.fingerprint);
      await converged(groupId, [alice, bob], 1);
      await mallory.client.next('group.invite', (m) => m.groupId === groupId);
      mallory.client.send({ v, type: 'group.join', groupId });
      // Alice (lowest leaf) refuses it, and so does Bob when the fallback makes it his turn.
      const [byAlice, byBob] = await Promise.all([alice, bob].map((core) => core.waitFor((e) => e.kind === 'refused' && e.groupId === groupId, 'refused KeyPackage')));
      expect(byAlice).toMatchObject({ code: 'member-key-mismatch', userId: 'mallory' });
      expect(byBob).toMatchObject({ code: 'member-key-mismatch', userId: 'mallory' });
      expect(alice.groups.view(groupId)).toMatchObject({ state: 'active', epoch: 1 });
      expect(bob.groups.view(groupId)).toMatchObject({ state: 'active', epoch: 1 });
      // Nothing was committed: the server still takes a commit for epoch 1 only, as the group's next.
      mallory.client.send({ v, type: 'group.commit', groupId, epoch: 0, commit: toBase64Url(new Uint8Array(64).fill(7)) });
      expect(await mallory.client.error('stale-epoch')).toMatchObject({ epoch: 1 });
      await endGroup(groupId, [alice, bob]);
    } finally {
      delete alice.tuning.fallbackMs;
      delete bob.tuning.fallbackMs;
    }
  }, 60_000);
});

describe('the loose ends of joining', () => {
  it('a reconnect while joining keeps the KeyPackage a Welcome on its way is for', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let made: () => void = () => undefined;
    const commitMade = new Promise<void>((resolve) => (made = resolve));
    alice.tuning.beforeCommitSent = async () => {
      made();
      await held;
    };
    try {
      const groupId = randomCallId();
      await alice.groups.create({ groupId, invitees: ['bob'], media: 'audio', fingerprint: alice.fingerprint });
      await bob.view(groupId, (view) => view.state === 'incoming', 'incoming');
      bob.groups.accept(groupId, bob.fingerprint);
      // Alice has fetched Bob's KeyPackage and made the Welcome for it; then Bob's link comes back
      // and he publishes a new batch, as after every login.
      await commitMade;
      await bob.groups.connected();
      await bob.groups.published();
      release();
      await converged(groupId, [alice, bob], 1);
      await endGroup(groupId, [alice, bob]);
    } finally {
      release();
      delete alice.tuning.beforeCommitSent;
    }
  }, 60_000);
});

describe('how long a joiner waits', () => {
  it('a joiner whose Add is slow to come stays while the group keeps moving, past the wait counted from its accept', async () => {
    const wait = 4_000;
    const elapsed = (since: number) => performance.now() - since;
    const until = (since: number, ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - elapsed(since))));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holds = 1;
    // Alice's commit adding Carol is made, then held: a committer on a busy machine.
    alice.tuning.beforeCommitSent = async () => {
      if (holds === 0) return;
      holds -= 1;
      await held;
    };
    carol.tuning.joinTimeoutMs = wait;
    try {
      const groupId = randomCallId();
      await alice.groups.create({ groupId, invitees: ['bob', 'carol', 'dave'], media: 'audio', fingerprint: alice.fingerprint });
      await Promise.all([bob, carol, dave].map((core) => core.view(groupId, (view) => view.state === 'incoming', 'incoming')));
      const accepted = performance.now();
      carol.groups.accept(groupId, carol.fingerprint);
      // The others joining is the group moving: each restarts Carol's wait.
      await until(accepted, wait / 2);
      bob.groups.accept(groupId, bob.fingerprint);
      await until(accepted, wait);
      dave.groups.accept(groupId, dave.fingerprint);
      await until(accepted, wait * 1.4);
      // Past the wait from her accept, but not from the last join she heard of.
      expect(carol.groups.view(groupId)).toMatchObject({ state: 'joining' });
      release();
      // Carol alone in the first commit; Bob and Dave, both waiting by then, together in the next.
      await converged(groupId, [alice, bob, carol, dave], 2);
      await endGroup(groupId, [alice, bob, carol, dave]);
    } finally {
      release();
      delete alice.tuning.beforeCommitSent;
      delete carol.tuning.joinTimeoutMs;
    }
  }, 60_000);
});

describe('signalling between members, held to each pair\'s signed DTLS binding', () => {
  /** What a hostile server could hand Bob as a signal from `from`: relayed as if from a member. */
  const asRelayed = (groupId: string, from: string, data: SignalData, dtls?: { fingerprint: string; signature: string }) => {
    bob.groups.receive({ v, type: 'group.signal', groupId, from, data, ...(dtls === undefined ? {} : { dtls }) });
  };
  /** Carol's candidate injected last: once Bob's page has it, everything injected before it was handled. */
  const settled = async (groupId: string, mark: string) => {
    asRelayed(groupId, 'carol', candidate(mark));
    await bob.signal(groupId, 'carol', mark);
  };
  const signedBy = async (secretKey: Uint8Array, groupId: string, fingerprint: string) => ({
    fingerprint,
    signature: toBase64Url(await signGroupDtls(secretKey, { groupId, peer: 'bob', fingerprint })),
  });

  it('offers, answers, candidates and re-offers flow both ways once each pair is bound', async () => {
    const groupId = await startGroup([bob, carol], [bob, carol]);
    await converged(groupId, [alice, bob, carol], 2);
    expect(await alice.groups.signal(groupId, 'bob', offer(alice.fingerprint, 'first-offer'))).toBe(true);
    expect(await bob.signal(groupId, 'alice', 'first-offer')).toEqual(offer(alice.fingerprint, 'first-offer'));
    expect(await bob.groups.signal(groupId, 'alice', answer(bob.fingerprint, 'first-answer'))).toBe(true);
    await alice.signal(groupId, 'bob', 'first-answer');
    await alice.groups.signal(groupId, 'bob', candidate('alice-candidate'));
    await bob.signal(groupId, 'alice', 'alice-candidate');
    // An ICE restart's offer, with the same certificate in another spelling: still the bound one.
    await alice.groups.signal(groupId, 'bob', offer(alice.fingerprint.toLowerCase(), 're-offer'));
    await bob.signal(groupId, 'alice', 're-offer');
    expect(bob.refusals(groupId)).toEqual([]);
    expect(alice.refusals(groupId)).toEqual([]);
    // Signalling only to someone the server lists in the call.
    await expect(alice.groups.signal(groupId, 'dave', candidate('x'))).rejects.toMatchObject({ code: 'not-present' });
    await expect(alice.groups.signal(groupId, 'alice', candidate('x'))).rejects.toMatchObject({ code: 'not-present' });
    await expect(dave.groups.signal(groupId, 'alice', candidate('x'))).rejects.toMatchObject({ code: 'no-such-group' });
    await endGroup(groupId, [alice, bob, carol]);
  }, 60_000);

  it('a binding not signed by the pinned key is refused, and that pair stays refused', async () => {
    const groupId = await startGroup([bob, carol], [bob, carol]);
    await converged(groupId, [alice, bob, carol], 2);
    const forger = await generateIdentityKeyPair();
    const forgedFingerprint = fingerprintOf('m');
    asRelayed(groupId, 'alice', offer(forgedFingerprint, 'forged'), await signedBy(forger.secretKey, groupId, forgedFingerprint));
    // Then Alice's real offer with her real binding: the pair is refused already.
    await alice.groups.signal(groupId, 'bob', offer(alice.fingerprint, 'genuine-after'));
    asRelayed(groupId, 'alice', offer(alice.fingerprint, 'genuine-injected'), await signedBy(alice.user.keys.secretKey, groupId, alice.fingerprint));
    await settled(groupId, 'marker-1');
    expect(bob.refusals(groupId)).toMatchObject([{ code: 'mitm-detected', userId: 'alice' }]);
    expect(bob.signalsFrom(groupId, 'alice')).toEqual([]);
    // Bob's page cannot signal Alice either.
    await expect(bob.groups.signal(groupId, 'alice', answer(bob.fingerprint, 'a'))).rejects.toMatchObject({ code: 'mitm-detected' });
    // Carol's pair is untouched.
    await carol.groups.signal(groupId, 'bob', offer(carol.fingerprint, 'carol-offer'));
    await bob.signal(groupId, 'carol', 'carol-offer');
    await endGroup(groupId, [alice, bob, carol]);
  }, 60_000);

  it('an SDP with another certificate is refused on a later re-offer, not only the first, and in both directions', async () => {
    const groupId = await startGroup([bob, carol], [bob, carol]);
    await converged(groupId, [alice, bob, carol], 2);
    await alice.groups.signal(groupId, 'bob', offer(alice.fingerprint, 'bound'));
    await bob.signal(groupId, 'alice', 'bound');
    // A re-offer naming another certificate, relayed without a binding, then one with Alice's own
    // (valid) signature over another fingerprint: both break the pair.
    asRelayed(groupId, 'alice', offer(fingerprintOf('m'), 'swapped'));
    await settled(groupId, 'marker-2');
    expect(bob.refusals(groupId)).toMatchObject([{ code: 'mitm-detected', userId: 'alice' }]);
    await alice.groups.signal(groupId, 'bob', offer(alice.fingerprint, 'after'));
    await settled(groupId, 'marker-3');
    expect(bob.signalsFrom(groupId, 'alice').map((data) => JSON.stringify(data))).toEqual([JSON.stringify(offer(alice.fingerprint, 'bound'))]);
    expect(bob.refusals(groupId)).toHaveLength(1);

    // A changed binding, even one Carol really signed, once another is bound.
    await carol.groups.signal(groupId, 'bob', offer(carol.fingerprint, 'carol-bound'));
    await bob.signal(groupId, 'carol', 'carol-bound');
    const other = fingerprintOf('n');
    asRelayed(groupId, 'carol', offer(other, 'carol-changed'), await signedBy(carol.user.keys.secretKey, groupId, other));
    await bob.waitFor((e) => e.kind === 'refused' && e.groupId === groupId && e.userId === 'carol', 'carol refused');
    expect(bob.signalsFrom(groupId, 'carol').filter((data) => 'sdp' in data)).toHaveLength(1);

    // Our own page: an SDP without the certificate it gave is not sent, and the pair is refused.
    await expect(alice.groups.signal(groupId, 'carol', offer(fingerprintOf('m'), 'own-swapped'))).rejects.toMatchObject({ code: 'mitm-detected' });
    expect(alice.refusals(groupId)).toMatchObject([{ code: 'mitm-detected', userId: 'carol' }]);
    await expect(alice.groups.signal(groupId, 'carol', offer(alice.fingerprint, 'own-after'))).rejects.toMatchObject({ code: 'mitm-detected' });
    // Alice's good first offer to Carol is fine later too: only that pair was refused.
    await endGroup(groupId, [alice, bob, carol]);
  }, 60_000);

  it('an SDP before any binding, and any signal from someone not in the call, are refused', async () => {
    const groupId = await startGroup([bob, carol], [bob, carol]);
    await converged(groupId, [alice, bob, carol], 2);
    asRelayed(groupId, 'alice', offer(alice.fingerprint, 'unbound'));
    asRelayed(groupId, 'dave', candidate('from-dave'));
    asRelayed(groupId, 'bob', candidate('from-self'));
    await settled(groupId, 'marker-4');
    expect(bob.refusals(groupId)).toMatchObject([
      { code: 'mitm-detected', userId: 'alice' },
      { code: 'not-present', userId: 'dave' },
      { code: 'not-present', userId: 'bob' },
    ]);
    expect(bob.signalsFrom(groupId, 'alice')).toEqual([]);
    expect(bob.signalsFrom(groupId, 'dave')).toEqual([]);
    await endGroup(groupId, [alice, bob, carol]);
  }, 60_000);
});

async function reconnectMallory() {
  mallory.client.close();
  return signIn(server, 'mallory', mallory.keys);
}
