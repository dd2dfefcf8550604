/**
 * The core's group calls (docs/group-calls.md, docs/protocol.md "Group calls"): KeyPackages
 * published at every login, the owner's signed invite, rings checked against the pinned keys, the
 * join from a Welcome, the committer rule, every commit in the server's order, and each epoch's
 * media keys out to the app. The server relays and orders; everything it relays is checked here.
 */
import { constantTimeEqual, toBase64Url, fromBase64Url } from '../../../shared/crypto/bytes';
import { signGroupInvite, type GroupInvite, type GroupMedia } from '../../../shared/crypto/group-invite';
import { MAX_COMMIT_BYTES, MAX_WELCOME_BYTES, PROTOCOL_VERSION, type ClientMessage, type ErrorMessage, type IncomingGroupMessage, type SfuSeat, type SignalData } from '../../../shared/protocol';
import { callUpgradeTag } from '../../../shared/crypto/call-upgrade';
import type { UpgradableCall } from '../calls/call-manager';
import type { GroupMemberState, GroupTransport, JanusAnswer, JanusCall } from '../../../shared/ipc';
import type { GroupCallEvent, GroupCallView, GroupEndReason } from './group-call-events';
import { GroupError, isGroupError, type GroupErrorCode } from './group-error';
import { GroupSession, type OutgoingCommit } from './group-session';
import { InviteBook, type SignedGroupInvite } from './invite-book';
import { JanusRelay, type JanusRelayLimits, type RelaySeat } from './janus-relay';
import { decodeSignedInvite, encodeInviteField, relayedMatchesSigned } from './invite-wire';
import { KeyPackageStore, DEFAULT_KEY_PACKAGE_BATCH } from './key-packages';
import type { LocalMember, PinnedKeyLookup } from './member-binding';
import { decodeMemberState, encodeMemberState } from './member-state-wire';
import { PairBindings } from './pair-bindings';

const v = PROTOCOL_VERSION;

/** How long the lowest-index member has to commit a needed change before the next one tries. */
export const DEFAULT_COMMIT_FALLBACK_MS = 3_000;
/**
 * How long a joiner waits for its Welcome while the group says nothing before it leaves
 * (`timeout`). Above the fallback of the first dozen committers (12 × 3 s), a KeyPackage fetch and
 * a commit adding everyone at once. The wait starts again whenever the group's membership moves
 * (a join, a leave, a commit), so a committer busy adding people one commit after another on a
 * slow machine does not make those still waiting leave.
 */
export const DEFAULT_JOIN_TIMEOUT_MS = 60_000;
/**
 * A seat is asked for again at half its tokens' lifetime, and never sooner than this: the server
 * gives one seat per member per 5 s (docs/protocol.md, "Meetings over the SFU").
 */
export const MIN_SEAT_REFRESH_MS = 6_000;
/** After the SFU did not answer: ask again this much later, while the call lasts. */
export const DEFAULT_SEAT_RETRY_MS = 10_000;
/**
 * States go out at most this often (the server takes a burst of 10, then 2 a second): a burst of
 * clicks sends the first and then the latest, never a queue of stale ones.
 */
export const DEFAULT_MEMBER_STATE_GAP_MS = 600;

/** A user's pinned key as the contact book holds it, with whether its change is still unconfirmed. */
export interface PinnedPeer {
  readonly identityKey: Uint8Array;
  readonly keyChanged: boolean;
}

export interface GroupCallManagerOptions {
  readonly self: LocalMember;
  readonly pinnedKey: PinnedKeyLookup;
  /**
   * The key pinned for a user even when its change is not confirmed yet (undefined: a stranger):
   * a ring is checked under it, and the key-change gate reads it. Without it, rings need a
   * confirmed key and nobody counts as key-changed.
   */
  readonly peerKey?: (userId: string) => PinnedPeer | undefined;
  /** The user confirmed a changed key (start or accept with `confirmKeyChange`): settles exactly that key. */
  readonly acknowledgeKeyChange?: (userId: string, identityKey: Uint8Array) => void;
  /** Whether this device is in a 1:1 call: a group call is then refused as `in-call`. */
  readonly inOtherCall?: () => boolean;
  /** The 1:1 call with this id if it is connected here, with its upgrade key (calls/call-manager.ts). */
  readonly upgradableCall?: (callId: string) => UpgradableCall | undefined;
  /** That 1:1 call went on as this group call; `tellPeer` on the end that joins. */
  readonly callUpgraded?: (callId: string, tellPeer: boolean) => void;
  send(message: ClientMessage): boolean;
  emit(event: GroupCallEvent): void;
  /** Read at each use, so a test may change it between steps. */
  readonly tuning?: GroupCallTuning;
}

export interface GroupCallTuning {
  fallbackMs?: number;
  /**
   * Awaited after a commit is made and before it is sent: lets a test hold every member's commit
   * until all are made, so that they really race at the server.
   */
  beforeCommitSent?: (groupId: string, epoch: number) => Promise<void>;
  /** Every present member commits a needed change at once instead of the lowest leaf first (tests). */
  everyoneCommits?: boolean;
  /** How long a joiner waits for its Welcome (DEFAULT_JOIN_TIMEOUT_MS). */
  joinTimeoutMs?: number;
  /** DEFAULT_SEAT_RETRY_MS. */
  seatRetryMs?: number;
  /** DEFAULT_MEMBER_STATE_GAP_MS. */
  memberStateGapMs?: number;
  /** DEFAULT_JANUS_RELAY_LIMITS, per field. */
  janus?: Partial<JanusRelayLimits>;
}

interface InFlight {
  readonly ref: string;
}

interface Fetch {
  readonly users: readonly string[];
  readonly ref: string;
  /** The packages the server had (none if it refused); 'lost': no answer will come (the link dropped, the call ended). */
  resolve(keyPackages: ReadonlyMap<string, Uint8Array> | 'lost'): void;
}

interface GroupCall {
  readonly groupId: string;
  readonly owner: string;
  readonly media: GroupMedia;
  state: GroupCallView['state'];
  endReason: GroupEndReason | null;
  readonly invites: SignedGroupInvite[];
  readonly allowed: Set<string>;
  session: GroupSession | undefined;
  /** The members as the server last listed them. */
  present: string[];
  unavailable: string[];
  declined: Set<string>;
  securityCode: string | null;
  /** 'mesh' until the server says the call goes through the SFU. */
  transport: GroupTransport;
  seq: number;
  /** Commits that reached a joiner before its Welcome. */
  early: { epoch: number; commit: Uint8Array }[];
  inFlight: InFlight | undefined;
  fetch: Fetch | undefined;
  fallback: NodeJS.Timeout | undefined;
  /** Users whose KeyPackage was refused (or missing): not added again until they join anew. */
  readonly unaddable: Set<string>;
  /** The id of this device's group.create or group.join: a refusal of it ends the call. */
  entryRef: string | undefined;
  /** The id of the join that asked for this device's place back after a reconnect. */
  rejoinRef: string | undefined;
  /** The id of the owner's last group.invite: a refusal of it is shown, the call goes on. */
  inviteRef: string | undefined;
  /** This device's DTLS binding with each member; from create or accept on. */
  pairs: PairBindings | undefined;
  /** The owner's key that verified the ring: accepting needs it to be the one pinned still. */
  ringKey: Uint8Array | undefined;
  /** Ends a join nobody completes. */
  joinTimer: NodeJS.Timeout | undefined;
  /** The key-changed users the last view named: a change of the pins re-sends the view. */
  shownKeyChanged: string;
  /** The 1:1 call this group continues, once checked (the owner's, or a ring that matched the live call). */
  upgradeOf: string | null;
  /** Invitees whose app declined as busy. */
  busy: Set<string>;
  /** A commit adding several at once failed (a bad KeyPackage, too large): add one per commit from now on. */
  addOneByOne: boolean;
  /** The id of the sfu.join not answered yet. */
  seatRef: string | undefined;
  /** Asks for a fresh seat before the current one's tokens run out, or again after a refusal. */
  seatTimer: NodeJS.Timeout | undefined;
  /** Where the page's Janus requests go, with the token they carry: the server's last seat. */
  seat: RelaySeat | undefined;
  /** This device's state as the page last gave it; sent again when someone joins. */
  ownState: GroupMemberState | undefined;
  /** Who was in the group when the state last went out: a newcomer gets it again. */
  stateAudience: Set<string>;
  stateSentAt: number;
  /** A state held back to stay under the server's rate; it sends the latest. */
  stateTimer: NodeJS.Timeout | undefined;
}

export class GroupCallManager {
  readonly #options: GroupCallManagerOptions;
  readonly #keyPackages: KeyPackageStore;
  readonly #calls = new Map<string, GroupCall>();
  #refs = 0;
  #closed = false;
  #published = false;
  #publishWaiters: (() => void)[] = [];
  /** The page's requests to the call's Janus. */
  readonly #janus = new JanusRelay(() => this.#options.tuning?.janus);
  /** Every server message, handled one at a time in arrival order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: GroupCallManagerOptions) {
    this.#options = options;
    this.#keyPackages = new KeyPackageStore(options.self);
  }

  get #self(): string {
    return this.#options.self.userId;
  }

  /**
   * A fresh batch of KeyPackages for this connection (the server replaces the user's set); their
   * private halves stay in memory. Then back into a call that was running when the link dropped.
   */
  async connected(): Promise<void> {
    this.#published = false;
    // A Welcome on its way to a join in progress may be for a KeyPackage of the batch this one replaces.
    const joining = [...this.#calls.values()].some((call) => call.state === 'joining');
    const batch = await this.#keyPackages.generateBatch(DEFAULT_KEY_PACKAGE_BATCH, joining);
    if (this.#closed) return;
    this.#options.send({ v, type: 'keys.publish', packages: batch.oneTime.map(toBase64Url), lastResort: toBase64Url(batch.lastResort) });
    for (const call of this.#calls.values()) {
      if (call.state === 'joining') this.#options.send({ v, type: 'group.join', groupId: call.groupId });
      if (call.state !== 'active') continue;
      // Only its old place: one the group dropped meanwhile is out (its MLS state is of a group
      // it was taken out of), and the user is told so rather than left in a call of one.
      call.rejoinRef = this.#ref('group-rejoin');
      this.#options.send({ v, type: 'group.join', id: call.rejoinRef, groupId: call.groupId, rejoin: true });
    }
  }

  /** Resolves once the server has stored this connection's KeyPackages (it rings only then). */
  published(): Promise<void> {
    if (this.#published) return Promise.resolve();
    return new Promise((resolve) => this.#publishWaiters.push(resolve));
  }

  /** The link dropped: a KeyPackage being fetched will not come. */
  disconnected(): void {
    this.#published = false;
    for (const call of this.#calls.values()) {
      this.#settleFetch(call, 'lost');
      // Its answer will not come; a seat is asked for again once the rejoin is through.
      call.seatRef = undefined;
      this.#clearSeatTimer(call);
    }
  }

  /** The group call this device is in, joining or being rung for; the newest if several ring. */
  current(): GroupCallView | undefined {
    let found: GroupCall | undefined;
    for (const call of this.#calls.values()) if (call.state !== 'ended') found = call;
    return found === undefined ? undefined : this.#view(found);
  }

  /** Whether this device is joining or in a group call (a 1:1 call is then refused as busy). */
  inCall(): boolean {
    for (const call of this.#calls.values()) if (call.state === 'joining' || call.state === 'active') return true;
    return false;
  }

  /**
   * The page that held the call's WebRTC and its DTLS certificate is gone (reloaded, crashed): a
   * new page runs another certificate, which this call's bindings refuse, so the call is left. A
   * ringing call stays, as a 1:1 ring does.
   */
  rendererGone(): void {
    for (const call of this.#calls.values()) {
      if (call.state === 'joining' || call.state === 'active') this.leave(call.groupId);
    }
  }

  /** The contact book's pins changed (a directory update): views whose key-changed users differ are sent again. */
  pinsChanged(): void {
    for (const call of this.#calls.values()) {
      if (call.state !== 'ended' && this.#keyChangedIn(call).join('\n') !== call.shownKeyChanged) this.#emitView(call);
    }
  }

  view(groupId: string): GroupCallView | undefined {
    const call = this.#calls.get(groupId);
    return call === undefined ? undefined : this.#view(call);
  }

  /** The owner starts a group call: signs who may be in it, creates the MLS group, asks the server to ring. */
  async create(request: {
    groupId: string;
    invitees: readonly string[];
    media: GroupMedia;
    fingerprint: string;
    confirmKeyChange?: boolean;
    /** "Add people" in this connected 1:1 call: its other party joins unrung, and the call ends as `upgraded`. */
    upgradeFrom?: string;
  }): Promise<GroupCallView> {
    const { groupId, media, upgradeFrom } = request;
    const invitees = [...request.invitees];
    if (this.#calls.has(groupId)) throw new GroupError('invalid-input', 'that group id is already in use here');
    if (invitees.includes(this.#self)) throw new GroupError('invalid-input', 'the owner is in the call already; invite others');
    if (new Set(invitees).size !== invitees.length) throw new GroupError('invalid-input', 'each invitee is named once');
    const upgrading = upgradeFrom === undefined ? undefined : this.#options.upgradableCall?.(upgradeFrom);
    if (upgradeFrom !== undefined) {
      if (upgrading === undefined) throw new GroupError('invalid-input', 'people can be added only to a connected 1:1 call');
      if (!invitees.includes(upgrading.peerId)) throw new GroupError('invalid-input', "the 1:1 call's other party must be among the invitees");
    }
    this.#refuseIfBusy(upgradeFrom);
    const pairs = new PairBindings(groupId, this.#options.self, this.#options.pinnedKey, request.fingerprint);
    this.#keyChangeGate(invitees, request.confirmKeyChange === true, 'calling');
    for (const userId of invitees) {
      if ((await this.#options.pinnedKey(userId)) === null) throw new GroupError('unknown-member', `${userId} has no usable identity key on this device`);
    }
    const upgrade =
      upgrading === undefined
        ? {}
        : { upgrade: { callId: upgrading.callId, tag: await callUpgradeTag(upgrading.upgradeKey, { callId: upgrading.callId, groupId, owner: this.#self, peer: upgrading.peerId }) } };
    const invite: GroupInvite = { groupId, owner: this.#self, invitees, media, issuedAt: Date.now(), ...upgrade };
    const signature = await signGroupInvite(this.#options.self.identity.secretKey, invite);
    const signed: SignedGroupInvite = { invite, signature };
    const session = await GroupSession.create({ groupId, owner: this.#self, self: this.#options.self, pinnedKey: this.#options.pinnedKey }, signed);
    // Another call (or this id) may have begun while the keys were read and the group made.
    if (this.#calls.has(groupId) || this.inCall() || this.#inOtherCallThan(upgradeFrom)) {
      session.wipe();
      if (this.#calls.has(groupId)) throw new GroupError('invalid-input', 'that group id is already in use here');
      throw new GroupError('in-call', 'another call started meanwhile');
    }
    const call = this.#newCall(groupId, this.#self, media, signed);
    call.session = session;
    call.pairs = pairs;
    call.state = 'active';
    call.present = [this.#self];
    call.entryRef = this.#ref('group-create');
    call.upgradeOf = upgradeFrom ?? null;
    this.#forgetEnded();
    this.#calls.set(groupId, call);
    this.#options.send({
      v,
      type: 'group.create',
      id: call.entryRef,
      groupId,
      media: { audio: true, video: media === 'video' },
      invitees,
      invite: encodeInviteField(invite),
      signature: toBase64Url(signature),
    });
    // The other end learns of the group from its ring, which it checks against the 1:1 call it still holds.
    if (upgradeFrom !== undefined) this.#options.callUpgraded?.(upgradeFrom, false);
    await this.#epochChanged(call);
    return this.#view(call);
  }

  /** The owner invites more people mid-call: a new signed list naming everyone invited so far and them. */
  async invite(groupId: string, more: readonly string[], confirmKeyChange = false): Promise<GroupCallView> {
    const call = this.#live(groupId);
    const session = call.session;
    if (call.owner !== this.#self || session === undefined) throw new GroupError('invalid-input', 'only the owner invites, once in the call');
    if (more.includes(this.#self)) throw new GroupError('invalid-input', 'the owner is in the call already; invite others');
    this.#keyChangeGate(more, confirmKeyChange, 'inviting');
    for (const userId of more) {
      if ((await this.#options.pinnedKey(userId)) === null) throw new GroupError('unknown-member', `${userId} has no usable identity key on this device`);
    }
    const invitees = [...new Set([...call.allowed, ...more])].filter((userId) => userId !== this.#self);
    const invite: GroupInvite = { groupId, owner: this.#self, invitees, media: call.media, issuedAt: Date.now() };
    const signature = await signGroupInvite(this.#options.self.identity.secretKey, invite);
    const signed: SignedGroupInvite = { invite, signature };
    await session.acceptInvite(signed);
    call.invites.push(signed);
    for (const userId of invitees) call.allowed.add(userId);
    call.inviteRef = this.#ref('group-invite');
    this.#options.send({ v, type: 'group.invite', id: call.inviteRef, groupId, invitees, invite: encodeInviteField(invite), signature: toBase64Url(signature) });
    this.#emitView(call);
    return this.#view(call);
  }

  /** Joins a ringing call; `fingerprint` is the page's DTLS certificate for all its pairs in it. */
  accept(groupId: string, fingerprint: string, confirmKeyChange = false): GroupCallView {
    const call = this.#incoming(groupId);
    // The upgrade was checked against the live 1:1 call when it rang; that call may have ended since.
    const upgrading = call.upgradeOf !== null && this.#options.upgradableCall?.(call.upgradeOf) !== undefined ? call.upgradeOf : undefined;
    this.#refuseIfBusy(upgrading);
    const pairs = new PairBindings(groupId, this.#options.self, this.#options.pinnedKey, fingerprint);
    const peerKey = this.#options.peerKey;
    const ownerNow = peerKey?.(call.owner);
    if (peerKey !== undefined && call.ringKey !== undefined && (ownerNow === undefined || !constantTimeEqual(ownerNow.identityKey, call.ringKey))) {
      // The ring was checked under a key that is no longer the pinned one: what the user could
      // review is not this call's owner any more, so it cannot be joined knowingly.
      this.#options.send({ v, type: 'group.decline', groupId });
      this.#end(call, 'refused');
      throw new GroupError('key-changed', `the key that signed this call is no longer the one pinned for ${call.owner}; the call was declined`);
    }
    this.#keyChangeGate(this.#keyChangedIn(call), confirmKeyChange, 'joining');
    call.pairs = pairs;
    call.state = 'joining';
    call.entryRef = this.#ref('group-join');
    this.#options.send({ v, type: 'group.join', id: call.entryRef, groupId });
    if (upgrading !== undefined) this.#options.callUpgraded?.(upgrading, true);
    this.#armJoinTimeout(call);
    this.#emitView(call);
    return this.#view(call);
  }

  /**
   * The key-change gate, as for 1:1 calls: someone whose safety number changed is refused
   * (`key-changed`) unless the user confirmed; confirming settles exactly the key pinned now.
   */
  #keyChangeGate(userIds: readonly string[], confirmed: boolean, doing: string): void {
    const changed = userIds.flatMap((userId) => {
      const peer = this.#options.peerKey?.(userId);
      return peer?.keyChanged === true ? [{ userId, identityKey: peer.identityKey }] : [];
    });
    if (changed.length === 0) return;
    if (!confirmed) {
      throw new GroupError('key-changed', `the safety number of ${changed.map((peer) => peer.userId).join(', ')} has changed: confirm before ${doing}`);
    }
    for (const peer of changed) this.#options.acknowledgeKeyChange?.(peer.userId, peer.identityKey);
  }

  /** `upgrading`: the 1:1 call this group call continues, which does not count as another call. */
  #refuseIfBusy(upgrading?: string): void {
    if (this.inCall() || this.#inOtherCallThan(upgrading)) throw new GroupError('in-call', 'you are already in a call: hang up first');
  }

  #inOtherCallThan(upgrading: string | undefined): boolean {
    if (this.#options.inOtherCall?.() !== true) return false;
    return upgrading === undefined || this.#options.upgradableCall?.(upgrading) === undefined;
  }

  /**
   * Whether a ring's upgrade names the 1:1 call live here: that call's id, its other party as the
   * owner, and the tag that only the call's two ends can compute for this group, owner and user.
   */
  async #upgradesLiveCall(signed: SignedGroupInvite): Promise<boolean> {
    const upgrade = signed.invite.upgrade;
    if (upgrade === undefined) return false;
    const live = this.#options.upgradableCall?.(upgrade.callId);
    if (live?.peerId !== signed.invite.owner) return false;
    const expected = await callUpgradeTag(live.upgradeKey, { callId: upgrade.callId, groupId: signed.invite.groupId, owner: signed.invite.owner, peer: this.#self });
    return constantTimeEqual(expected, upgrade.tag);
  }

  /**
   * A joiner nobody adds (every member refused its KeyPackage, or none came) leaves once the group
   * has been silent for the whole wait: armed at the accept, and again by each join, leave or
   * commit of the group while this device waits (#handle). The wait is about the others not
   * answering, never about how long their answer takes to compute on a busy machine.
   */
  #armJoinTimeout(call: GroupCall): void {
    if (call.joinTimer !== undefined) clearTimeout(call.joinTimer);
    const ms = this.#options.tuning?.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
    call.joinTimer = setTimeout(() => {
      call.joinTimer = undefined;
      this.#serial(() => {
        if (call.state !== 'joining') return;
        console.warn(`sealcall: a group join gave up: no Welcome, and nothing from the group for ${String(Math.round(ms / 1000))} s`);
        this.#options.send({ v, type: 'group.leave', groupId: call.groupId });
        this.#end(call, 'timeout');
      });
    }, ms);
    call.joinTimer.unref();
  }

  decline(groupId: string): void {
    const call = this.#incoming(groupId);
    this.#options.send({ v, type: 'group.decline', groupId });
    this.#end(call, 'left');
  }

  leave(groupId: string): void {
    const call = this.#live(groupId);
    this.#options.send({ v, type: 'group.leave', groupId });
    this.#end(call, 'left');
  }

  /** The owner takes someone out; the commit that removes their leaf follows the server's group.left. */
  remove(groupId: string, userId: string): void {
    const call = this.#live(groupId);
    if (call.owner !== this.#self) throw new GroupError('invalid-input', 'only the owner removes members');
    this.#options.send({ v, type: 'group.remove', groupId, userId });
  }

  end(groupId: string): void {
    const call = this.#live(groupId);
    if (call.owner !== this.#self) throw new GroupError('invalid-input', 'only the owner ends the call for everyone');
    this.#options.send({ v, type: 'group.end', groupId });
    this.#end(call, 'ended');
  }

  /**
   * Our page's signalling to one member: only to someone the server lists in the call, any SDP
   * with exactly the certificate this device gave for the call, with the pair's signed binding.
   * False: the server link is down, and nothing was sent.
   */
  async signal(groupId: string, to: string, data: SignalData): Promise<boolean> {
    const call = this.#live(groupId);
    const pairs = call.pairs;
    if (pairs === undefined) throw new GroupError('no-such-group', 'not in a group call with that id');
    if (to === this.#self || !call.present.includes(to)) throw new GroupError('not-present', `${to} is not in this group call`);
    let dtls;
    try {
      dtls = pairs.outgoing(to, data);
    } catch (error) {
      // Our own page offering another certificate than the one it gave would have the peer run
      // DTLS with a stranger: the pair is refused, as a 1:1 call ends.
      if (isGroupError(error, 'mitm-detected') && !pairs.isRefused(to)) {
        pairs.refuse(to);
        this.#emit(call, { kind: 'refused', code: 'mitm-detected', message: error.message, userId: to });
        console.warn(`sealcall: group signalling to ${to} refused: our page's SDP does not carry its certificate`);
      }
      throw error;
    }
    const binding = await dtls;
    // The call may have ended, or the pair been refused, while the binding was signed.
    if (call.state === 'ended' || pairs.isRefused(to) || !call.present.includes(to)) throw new GroupError('not-present', `${to} is not in this group call any more`);
    return this.#options.send({ v, type: 'group.signal', groupId, to, data, dtls: binding });
  }

  /**
   * This device's own state (mute, camera, share, raised hand), to every member as an MLS
   * application message; kept, and sent again whenever someone joins.
   */
  memberState(groupId: string, state: GroupMemberState): void {
    const call = this.#live(groupId);
    if (call.state !== 'active' || call.session === undefined) throw new GroupError('no-such-group', 'not in the group yet: your state goes out once you have joined');
    call.ownState = { muted: state.muted, cameraOff: state.cameraOff, sharing: state.sharing, handRaised: state.handRaised };
    this.#queueState(call);
  }

  /** A seat in the call's SFU room, from the server; our page joins Janus with it. */
  seat(message: SfuSeat): void {
    if (this.#closed) return;
    this.#serial(() => {
      const call = this.#calls.get(message.groupId);
      if (call === undefined || call.state !== 'active' || call.transport !== 'sfu') return;
      call.seatRef = undefined;
      const { url, room, participantId, token, roomToken, expiresAt } = message;
      // What was sent to another Janus, or for another call, has no answer this page can use.
      if (call.seat !== undefined && call.seat.url !== url) this.#janus.abort(call.groupId);
      this.#janus.abortOthers(call.groupId);
      call.seat = { url, token };
      this.#emit(call, { kind: 'seat', seat: { url, room, participantId, token, roomToken, expiresAt } });
      this.#armSeat(call, Math.max(MIN_SEAT_REFRESH_MS, (expiresAt - Date.now()) / 2));
    });
  }

  /** Every group and key-package message from the server. */
  receive(message: IncomingGroupMessage): void {
    if (this.#closed) return;
    switch (message.type) {
      case 'keys.published': {
        // From now on the server rings this session for group calls.
        this.#published = true;
        const waiters = this.#publishWaiters;
        this.#publishWaiters = [];
        for (const waiter of waiters) waiter();
        return;
      }
      case 'keys.packages': {
        // Answered at once: a commit being made waits for it, outside the message queue.
        const call = this.#calls.get(message.groupId);
        const fetch = call?.fetch;
        if (call === undefined || fetch === undefined) return;
        const found = new Map<string, Uint8Array>();
        for (const entry of message.packages) if (fetch.users.includes(entry.userId) && !found.has(entry.userId)) found.set(entry.userId, fromBase64Url(entry.package));
        this.#settleFetch(call, found);
        return;
      }
      case 'group.invite':
        this.#serial(() => this.#ring(message));
        return;
      default:
        this.#serial(async () => {
          const call = this.#calls.get(message.groupId);
          if (call !== undefined && call.state !== 'ended') await this.#handle(call, message);
        });
    }
  }

  /** An `error` that names a group: a refused commit, fetch, join or create. */
  refused(error: ErrorMessage): void {
    const { groupId } = error;
    if (groupId === undefined) return;
    const call = this.#calls.get(groupId);
    if (call === undefined || call.state === 'ended') return;
    if (error.ref === undefined) return;
    if (call.inFlight?.ref === error.ref) {
      // A lost race ('stale-epoch'): the winning commit came first, and the change is re-checked.
      call.inFlight = undefined;
      this.#serial(() => { this.#reconcile(call); });
    } else if (call.fetch?.ref === error.ref) {
      this.#settleFetch(call, new Map());
    } else if (call.seatRef === error.ref) {
      call.seatRef = undefined;
      this.#seatRefused(call, error);
    } else if (call.entryRef === error.ref) {
      // The page says why (a call too large for a server without an SFU, above all).
      if (error.code === 'group-full') this.#emit(call, { kind: 'refused', code: 'group-full', message: error.message });
      this.#end(call, 'refused');
    } else if (call.inviteRef === error.ref) {
      // The longer list was refused (too many people for this server): those on it are not rung.
      call.inviteRef = undefined;
      this.#emit(call, { kind: 'refused', code: error.code === 'group-full' ? 'group-full' : 'invalid-input', message: error.message });
    } else if (call.rejoinRef === error.ref) {
      this.#end(call, 'disconnected');
    }
  }

  /**
   * One request of the page to the call's Janus, sent to the URL of the seat the server gave this
   * device, with that seat's token (janus-relay.ts). Only for the call this device is in, once it
   * goes through the SFU and has a seat.
   */
  janus(groupId: string, request: JanusCall): Promise<JanusAnswer> {
    const call = this.#calls.get(groupId);
    if (call === undefined || call.state !== 'active') throw new GroupError('no-such-group', 'this device is not in that group call');
    if (call.transport !== 'sfu') throw new GroupError('no-such-group', 'that group call does not go through the meeting server (SFU)');
    if (call.seat === undefined) throw new GroupError('no-such-group', 'the server has not given this device a seat in the meeting room yet');
    return this.#janus.send(groupId, call.seat, request);
  }

  /** Wipes every group's keys and this device's KeyPackages. */
  close(): void {
    this.#closed = true;
    this.#janus.close();
    for (const call of this.#calls.values()) this.#end(call, 'left', false);
    this.#keyPackages.wipe();
  }

  #newCall(groupId: string, owner: string, media: GroupMedia, signed: SignedGroupInvite): GroupCall {
    return {
      groupId,
      owner,
      media,
      state: 'incoming',
      endReason: null,
      invites: [signed],
      allowed: new Set([owner, ...signed.invite.invitees]),
      session: undefined,
      present: [],
      unavailable: [],
      declined: new Set(),
      securityCode: null,
      transport: 'mesh',
      seq: 0,
      early: [],
      inFlight: undefined,
      fetch: undefined,
      fallback: undefined,
      unaddable: new Set(),
      entryRef: undefined,
      rejoinRef: undefined,
      inviteRef: undefined,
      pairs: undefined,
      ringKey: undefined,
      joinTimer: undefined,
      shownKeyChanged: '',
      upgradeOf: null,
      busy: new Set(),
      addOneByOne: false,
      seatRef: undefined,
      seatTimer: undefined,
      seat: undefined,
      ownState: undefined,
      stateAudience: new Set(),
      stateSentAt: 0,
      stateTimer: undefined,
    };
  }

  #incoming(groupId: string): GroupCall {
    const call = this.#calls.get(groupId);
    if (call?.state !== 'incoming') throw new GroupError('no-such-group', 'no group call is ringing with that id');
    return call;
  }

  #live(groupId: string): GroupCall {
    const call = this.#calls.get(groupId);
    if (call === undefined || call.state === 'ended' || call.state === 'incoming') throw new GroupError('no-such-group', 'not in a group call with that id');
    return call;
  }

  #ref(kind: string): string {
    this.#refs += 1;
    return `${kind}-${this.#refs}`;
  }

  /** Runs `task` after every earlier message; a message this device cannot act on is dropped, and the group goes on. */
  #serial(task: () => Promise<void> | void): void {
    this.#queue = this.#queue
      .then(async () => {
        if (!this.#closed) await task();
      })
      .catch((error: unknown) => {
        if (!isGroupError(error)) console.error('sealcall: a group-call message failed', error);
      });
  }

  async #ring(message: Extract<IncomingGroupMessage, { type: 'group.invite' }>): Promise<void> {
    const ringing = this.#calls.get(message.groupId);
    if (ringing !== undefined) {
      // Rung again as the call grew (a longer list): it may have moved to the SFU meanwhile.
      if (message.transport === 'sfu' && ringing.transport !== 'sfu' && ringing.state !== 'ended') {
        ringing.transport = 'sfu';
        this.#emitView(ringing);
      }
      return;
    }
    let signed: SignedGroupInvite;
    try {
      signed = decodeSignedInvite(message.invite, message.signature);
      if (!relayedMatchesSigned(signed, { groupId: message.groupId, owner: message.from, invitees: message.invitees, media: message.media })) {
        throw new GroupError('bad-invite', 'the ring does not match the invite the owner signed');
      }
      if (!signed.invite.invitees.includes(this.#self)) throw new GroupError('not-invited', 'the signed invite does not name this user');
      // The same check the MLS layer makes on every Add: the owner's pinned key must have signed it.
      // A changed key not yet confirmed still verifies the ring; accepting it needs the confirmation.
      await new InviteBook(message.groupId, message.from, this.#ringKeyLookup).accept(signed);
    } catch (error) {
      if (!isGroupError(error)) throw error;
      // A ring that does not verify is never shown; the server stops ringing. The refusal is the
      // only event of that group here, so it is the first of its stream (the IPC takes seq ≥ 1).
      this.#options.send({ v, type: 'group.decline', groupId: message.groupId });
      this.#options.emit({ kind: 'refused', groupId: message.groupId, seq: 1, code: error.code, message: error.message, userId: message.from });
      return;
    }
    if (this.#calls.has(message.groupId)) return;
    // An upgrade that does not match the live 1:1 call is taken as a plain ring: the owner's
    // signature still says this user was invited, only the unrung join is withheld.
    const upgradeOf = (await this.#upgradesLiveCall(signed)) ? (signed.invite.upgrade?.callId ?? null) : null;
    if (upgradeOf === null && this.#options.inOtherCall?.() === true) {
      // One call on screen at a time: the owner hears at once that this user is busy, rather than
      // a ring that nobody sees until it times out.
      this.#options.send({ v, type: 'group.decline', groupId: message.groupId, reason: 'busy' });
      return;
    }
    if (this.#calls.has(message.groupId)) return;
    const call = this.#newCall(message.groupId, message.from, signed.invite.media, signed);
    call.upgradeOf = upgradeOf;
    if (message.transport === 'sfu') call.transport = 'sfu';
    call.present = [...message.members];
    const ringKey = await this.#ringKeyLookup(message.from);
    if (ringKey === null || this.#calls.has(message.groupId)) return;
    call.ringKey = ringKey.slice();
    this.#forgetEnded();
    this.#calls.set(call.groupId, call);
    this.#emitView(call);
  }

  async #handle(call: GroupCall, message: Exclude<IncomingGroupMessage, { type: 'group.invite' | 'keys.packages' | 'keys.published' }>): Promise<void> {
    // The group is moving towards this device's Add (or still deciding): the wait starts again.
    if (call.state === 'joining' && (message.type === 'group.joined' || message.type === 'group.left' || message.type === 'group.committed')) this.#armJoinTimeout(call);
    switch (message.type) {
      case 'group.rung':
        call.unavailable = [...message.unavailable];
        this.#emitView(call);
        return;
      case 'group.invited': {
        const signed = decodeSignedInvite(message.invite, message.signature);
        if (!relayedMatchesSigned(signed, { groupId: call.groupId, owner: call.owner, invitees: message.invitees })) return;
        if (call.session !== undefined) await call.session.acceptInvite(signed);
        else await new InviteBook(call.groupId, call.owner, call.state === 'incoming' ? this.#ringKeyLookup : this.#options.pinnedKey).accept(signed);
        call.invites.push(signed);
        for (const userId of signed.invite.invitees) call.allowed.add(userId);
        this.#emitView(call);
        this.#reconcile(call);
        return;
      }
      case 'group.joined':
        call.present = [...message.members];
        call.unaddable.delete(message.userId);
        call.declined.delete(message.userId);
        call.busy.delete(message.userId);
        if (message.transport === 'sfu') call.transport = 'sfu';
        this.#emitView(call);
        if (message.userId === this.#self && call.state === 'active') this.#back(call);
        this.#reconcile(call);
        return;
      case 'group.transport':
        // Once the SFU, for good: a 'mesh' after it is not taken (docs/protocol.md, "Meetings over the SFU").
        if (message.transport !== 'sfu' || call.transport === 'sfu') return;
        call.transport = 'sfu';
        this.#emitView(call);
        this.#askSeat(call);
        return;
      case 'group.state':
        await this.#stateIn(call, message);
        return;
      case 'group.left':
        call.present = [...message.members];
        // A page that comes back may run another certificate: its pair binds anew.
        call.pairs?.forget(message.userId);
        this.#emitView(call);
        this.#reconcile(call);
        return;
      case 'group.declined':
        if (message.reason === 'busy') call.busy.add(message.userId);
        else call.declined.add(message.userId);
        this.#emitView(call);
        return;
      case 'group.ended':
        this.#end(call, message.reason);
        return;
      case 'group.welcome':
        await this.#welcome(call, message.epoch, fromBase64Url(message.welcome));
        return;
      case 'group.committed': {
        const commit = fromBase64Url(message.commit);
        if (call.session === undefined) {
          if (call.state === 'joining') call.early.push({ epoch: message.epoch, commit });
          return;
        }
        await this.#commit(call, commit);
        return;
      }
      case 'group.signal':
        await this.#signalIn(call, message);
        return;
    }
  }

  /**
   * A member's signalling on its way to our page: from someone the server lists in the call, held
   * to the pair's signed binding (pair-bindings.ts). Anything else is dropped, the user is told
   * once, and that pair is refused for the rest of the call.
   */
  async #signalIn(call: GroupCall, message: Extract<IncomingGroupMessage, { type: 'group.signal' }>): Promise<void> {
    const pairs = call.pairs;
    const from = message.from;
    if (pairs === undefined || call.state === 'incoming' || pairs.isRefused(from)) return;
    let refusal: { code: GroupErrorCode; message: string } | null;
    if (from === this.#self || !call.present.includes(from)) {
      refusal = { code: 'not-present', message: `signalling from ${from}, who is not in this group call` };
      pairs.refuse(from);
    } else {
      refusal = await pairs.incoming(from, message.data, message.dtls);
    }
    if (call.state === 'ended') return;
    if (refusal === null) {
      this.#emit(call, { kind: 'signal', from, data: message.data });
      return;
    }
    // Who and why, never the SDP or the signature.
    console.warn(`sealcall: group signalling from ${from} refused (${refusal.code})`);
    this.#emit(call, { kind: 'refused', code: refusal.code, message: refusal.message, userId: from });
  }

  async #welcome(call: GroupCall, epoch: number, welcome: Uint8Array): Promise<void> {
    if (call.state !== 'joining' || call.session !== undefined) return;
    try {
      call.session = await GroupSession.join(
        { groupId: call.groupId, owner: call.owner, self: this.#options.self, pinnedKey: this.#options.pinnedKey },
        welcome,
        this.#keyPackages,
        call.invites,
      );
    } catch (error) {
      if (!isGroupError(error)) throw error;
      if (error.code === 'no-key-package' || error.code === 'bad-message') throw error;
      this.#refuse(call, error);
      return;
    }
    call.state = 'active';
    this.#joinSettled(call);
    // The commit that added us (and any before it) is already in the Welcome.
    const later = call.early.filter((entry) => entry.epoch > epoch);
    call.early = [];
    await this.#epochChanged(call);
    for (const entry of later) await this.#commit(call, entry.commit);
    this.#askSeat(call);
    this.#reconcile(call);
  }

  /** This device is back in the call after its link dropped: a fresh seat, and its state again for everyone. */
  #back(call: GroupCall): void {
    call.seatRef = undefined;
    this.#clearSeatTimer(call);
    this.#askSeat(call);
    call.stateAudience.clear();
    this.#queueState(call);
  }

  /**
   * A member's state on its way to our page: opened with MLS, from the member MLS says sent it (who
   * must be the one the server names, and in the call), of this epoch or the one before. Anything
   * else is dropped with its reason in the log, never its content.
   */
  async #stateIn(call: GroupCall, message: Extract<IncomingGroupMessage, { type: 'group.state' }>): Promise<void> {
    const session = call.session;
    // A joiner has no keys yet: the members send their states again when it is in.
    if (call.state !== 'active' || session === undefined) return;
    const from = message.from;
    let state: GroupMemberState | null = null;
    let dropped: string | undefined;
    if (from === this.#self || !call.present.includes(from)) {
      dropped = 'not-present';
    } else {
      try {
        const opened = await session.openApplication(fromBase64Url(message.state));
        if (opened.userId !== from) dropped = 'sender-mismatch';
        else state = decodeMemberState(opened.plaintext);
        if (dropped === undefined && state === null) dropped = 'bad-state';
      } catch (error) {
        if (!isGroupError(error)) throw error;
        dropped = error.code;
      }
    }
    if (state === null || dropped !== undefined) {
      console.warn(`sealcall: a member state from ${from} dropped (${dropped ?? 'bad-state'})`);
      return;
    }
    // The call may have ended while the message was opened.
    if (!isActive(call)) return;
    this.#emit(call, { kind: 'member', userId: from, state });
  }

  /** Sends the latest state now, or once the gap since the last has passed. */
  #queueState(call: GroupCall): void {
    if (call.ownState === undefined || call.stateTimer !== undefined || call.state !== 'active') return;
    const gap = this.#options.tuning?.memberStateGapMs ?? DEFAULT_MEMBER_STATE_GAP_MS;
    call.stateTimer = setTimeout(() => {
      call.stateTimer = undefined;
      this.#serial(() => this.#sendState(call));
    }, Math.max(0, call.stateSentAt + gap - Date.now()));
    call.stateTimer.unref();
  }

  async #sendState(call: GroupCall): Promise<void> {
    const session = call.session;
    const state = call.ownState;
    if (call.state !== 'active' || session === undefined || state === undefined) return;
    call.stateSentAt = Date.now();
    call.stateAudience = new Set(session.members().map((member) => member.userId));
    const sealed = await session.sealApplication(encodeMemberState(state));
    if (!isActive(call)) return;
    this.#options.send({ v, type: 'group.state', groupId: call.groupId, state: toBase64Url(sealed) });
  }

  /** Asks the server for a seat in the call's SFU room, once this device is in the call's MLS group. */
  #askSeat(call: GroupCall): void {
    if (call.transport !== 'sfu' || call.state !== 'active' || call.session === undefined || call.seatRef !== undefined || this.#closed) return;
    this.#clearSeatTimer(call);
    const ref = this.#ref('sfu-join');
    // Not sent (the link is down): asked again once this device is back in the call.
    if (this.#options.send({ v, type: 'sfu.join', id: ref, groupId: call.groupId })) call.seatRef = ref;
  }

  #armSeat(call: GroupCall, ms: number): void {
    this.#clearSeatTimer(call);
    call.seatTimer = setTimeout(() => {
      call.seatTimer = undefined;
      this.#serial(() => { this.#askSeat(call); });
    }, ms);
    call.seatTimer.unref();
  }

  #clearSeatTimer(call: GroupCall): void {
    if (call.seatTimer !== undefined) clearTimeout(call.seatTimer);
    call.seatTimer = undefined;
  }

  /** The server would not give a seat: the page hears why, and a passing trouble is retried. */
  #seatRefused(call: GroupCall, error: ErrorMessage): void {
    const retryMs = this.#options.tuning?.seatRetryMs ?? DEFAULT_SEAT_RETRY_MS;
    switch (error.code) {
      case 'rate-limited':
        this.#armSeat(call, MIN_SEAT_REFRESH_MS);
        return;
      case 'sfu-unavailable':
        this.#emit(call, { kind: 'refused', code: 'sfu-unavailable', message: 'the meeting server (SFU) is not answering; trying again in a moment' });
        this.#armSeat(call, retryMs);
        return;
      case 'not-a-member':
        // Until this device is back in the call on the server (its rejoin asks again).
        this.#emit(call, { kind: 'refused', code: 'not-present', message: 'the server does not count this device in the call right now, so it gives no seat in the meeting room' });
        return;
      default:
        this.#emit(call, { kind: 'refused', code: 'sfu-unavailable', message: `the server gives no seat in the meeting room (${error.code}): ${error.message.slice(0, 200)}` });
    }
  }

  async #commit(call: GroupCall, commit: Uint8Array): Promise<void> {
    const session = call.session;
    if (session === undefined) return;
    let outcome: Awaited<ReturnType<GroupSession['handleCommit']>>;
    try {
      outcome = await session.handleCommit(commit);
    } catch (error) {
      if (!isGroupError(error)) throw error;
      // One this device already has (in its Welcome) or that lost: nothing changes.
      if (error.code === 'stale-epoch') return;
      // The server accepted it, so everyone else moved on with it: a device that cannot follow
      // must not stay on keys nobody else uses.
      this.#refuse(call, error);
      return;
    }
    if (outcome.kind === 'removed') {
      this.#end(call, 'removed');
      return;
    }
    if (outcome.own || outcome.superseded) call.inFlight = undefined;
    await this.#epochChanged(call);
    this.#reconcile(call);
  }

  /**
   * The committer rule: when the server's member list and the MLS group differ, the present member
   * with the lowest leaf index commits (removals first, then one Add per commit); if the change is
   * still needed after the fallback time, the next lowest tries, and so on. The server's order makes
   * a duplicate harmless: the second commit for an epoch is refused.
   */
  #reconcile(call: GroupCall, force = false): void {
    const session = call.session;
    if (session === undefined || call.state !== 'active' || call.inFlight !== undefined || this.#closed) return;
    const leaves = session.members();
    const inTree = new Set(leaves.map((leaf) => leaf.userId));
    const present = new Set(call.present);
    const removals = leaves.filter((leaf) => leaf.userId !== this.#self && !present.has(leaf.userId)).map((leaf) => leaf.userId);
    const additions = call.present.filter((userId) => userId !== this.#self && !inTree.has(userId) && call.allowed.has(userId) && !call.unaddable.has(userId));
    if (removals.length === 0 && additions.length === 0) {
      this.#clearFallback(call);
      return;
    }
    const committers = leaves.filter((leaf) => present.has(leaf.userId)).sort((a, b) => a.index - b.index);
    const rank = Math.max(0, committers.findIndex((leaf) => leaf.userId === this.#self));
    if (!force && rank > 0 && this.#options.tuning?.everyoneCommits !== true) {
      if (call.fallback === undefined) {
        const fallbackMs = this.#options.tuning?.fallbackMs ?? DEFAULT_COMMIT_FALLBACK_MS;
        call.fallback = setTimeout(() => {
          call.fallback = undefined;
          this.#serial(() => { this.#reconcile(call, true); });
        }, rank * fallbackMs);
        call.fallback.unref();
      }
      return;
    }
    this.#clearFallback(call);
    const inFlight: InFlight = { ref: this.#ref('group-commit') };
    call.inFlight = inFlight;
    const startedAt = session.epoch;
    // Outside the message queue: the KeyPackage answer and the winning commit must get in.
    // Everyone waiting is added in one commit (one Welcome serves them all), unless that failed once.
    const batch = removals.length > 0 ? [] : call.addOneByOne ? additions.slice(0, 1) : additions;
    const oneByOne = call.addOneByOne;
    void this.#makeCommit(call, session, inFlight, removals, batch).catch((error: unknown) => {
      if (call.inFlight === inFlight) call.inFlight = undefined;
      if (!isGroupError(error)) {
        console.error('sealcall: a group commit could not be made', error);
        return;
      }
      const refused = batch.filter((userId) => call.unaddable.has(userId));
      for (const userId of refused) this.#emit(call, { kind: 'refused', code: error.code, message: error.message, userId });
      // Someone else's commit moved the group on meanwhile, or those left are to be added another way: what is needed now may differ.
      const retry = session.epoch !== startedAt || (refused.length > 0 && refused.length < batch.length) || call.addOneByOne !== oneByOne;
      if (session.active && retry) this.#serial(() => { this.#reconcile(call); });
    });
  }

  async #makeCommit(call: GroupCall, session: GroupSession, inFlight: InFlight, removals: string[], additions: readonly string[]): Promise<void> {
    let outgoing: OutgoingCommit;
    if (removals.length > 0) {
      outgoing = await session.commitRemove(removals);
    } else if (additions.length > 0) {
      const fetched = await this.#fetchKeyPackages(call, additions);
      // Tried again once the link is back (the server's group.joined after the reconnect).
      if (fetched === 'lost') throw new GroupError('invalid-input', `no KeyPackage for ${additions.join(', ')} came before the link dropped`);
      const found = additions.flatMap((userId) => {
        const keyPackage = fetched.get(userId);
        if (keyPackage === undefined) call.unaddable.add(userId);
        return keyPackage === undefined ? [] : [{ userId, keyPackage }];
      });
      if (found.length === 0) throw new GroupError('no-key-package', `the server had no KeyPackage for ${additions.join(', ')}`);
      try {
        outgoing = await session.commitAdd(found);
      } catch (error) {
        if (isGroupError(error) && (error.code === 'member-key-mismatch' || error.code === 'unknown-member' || error.code === 'bad-message')) {
          // Which of several KeyPackages was refused is found by adding them one at a time.
          const only = found.length === 1 ? found[0] : undefined;
          if (only !== undefined) call.unaddable.add(only.userId);
          else call.addOneByOne = true;
        }
        throw error;
      }
      if (outgoing.commit.length > MAX_COMMIT_BYTES || (outgoing.welcome?.length ?? 0) > MAX_WELCOME_BYTES) {
        // Larger KeyPackages than measured (shared/protocol/group.ts): the server would refuse it.
        if (found.length > 1) call.addOneByOne = true;
        else if (found[0] !== undefined) call.unaddable.add(found[0].userId);
        throw new GroupError('invalid-input', 'the commit adding them is larger than the server takes');
      }
    } else {
      return;
    }
    await this.#options.tuning?.beforeCommitSent?.(call.groupId, Number(outgoing.epoch));
    if (call.inFlight !== inFlight || call.state !== 'active') return;
    const [first, ...others] = outgoing.welcomeTo;
    // One user id as before; a list when one Welcome serves several.
    const welcomeTo = first === undefined ? undefined : others.length === 0 ? first : [first, ...others];
    this.#options.send({
      v,
      type: 'group.commit',
      id: inFlight.ref,
      groupId: call.groupId,
      epoch: Number(outgoing.epoch),
      commit: toBase64Url(outgoing.commit),
      ...(outgoing.welcome !== undefined && welcomeTo !== undefined ? { welcome: toBase64Url(outgoing.welcome), welcomeTo } : {}),
    });
  }

  /** One KeyPackage for each user, in one request (the server consumes them). */
  #fetchKeyPackages(call: GroupCall, users: readonly string[]): Promise<ReadonlyMap<string, Uint8Array> | 'lost'> {
    this.#settleFetch(call, 'lost');
    return new Promise((resolve) => {
      const ref = this.#ref('keys-fetch');
      call.fetch = { users: [...users], ref, resolve };
      if (!this.#options.send({ v, type: 'keys.fetch', id: ref, groupId: call.groupId, users: [...users] })) this.#settleFetch(call, 'lost');
    });
  }

  #settleFetch(call: GroupCall, keyPackages: ReadonlyMap<string, Uint8Array> | 'lost'): void {
    const fetch = call.fetch;
    call.fetch = undefined;
    fetch?.resolve(keyPackages);
  }

  async #epochChanged(call: GroupCall): Promise<void> {
    const session = call.session;
    if (session === undefined) return;
    const keys = await session.epochKeys();
    call.securityCode = keys.securityCode;
    this.#emit(call, { kind: 'keys', keys: { epoch: Number(keys.epoch), ownIndex: keys.ownIndex, baseKey: keys.baseKey, senders: keys.senders } });
    this.#emitView(call);
    // Someone new in the group: it gets this device's state (raised hand, mute) too.
    if (keys.senders.some((member) => !call.stateAudience.has(member.userId))) this.#queueState(call);
  }

  /** A member or commit the pins or invites refuse: this device leaves and says why. */
  #refuse(call: GroupCall, error: GroupError): void {
    this.#emit(call, { kind: 'refused', code: error.code, message: error.message });
    this.#options.send({ v, type: 'group.leave', groupId: call.groupId });
    this.#end(call, 'member-refused');
  }

  #end(call: GroupCall, reason: GroupEndReason, emit = true): void {
    if (call.state === 'ended') return;
    const wasJoining = call.state === 'joining';
    call.state = 'ended';
    call.endReason = reason;
    if (wasJoining) this.#joinSettled(call);
    this.#clearFallback(call);
    this.#settleFetch(call, 'lost');
    this.#clearSeatTimer(call);
    call.seatRef = undefined;
    call.seat = undefined;
    this.#janus.abort(call.groupId);
    if (call.stateTimer !== undefined) clearTimeout(call.stateTimer);
    call.stateTimer = undefined;
    call.ownState = undefined;
    call.inFlight = undefined;
    call.session?.wipe();
    call.session = undefined;
    call.pairs?.wipe();
    call.early = [];
    call.securityCode = null;
    if (emit) this.#emitView(call);
  }

  /** A join ended, with a Welcome or without: the KeyPackage batches kept for it go, unless another join still waits. */
  #joinSettled(call: GroupCall): void {
    if (call.joinTimer !== undefined) clearTimeout(call.joinTimer);
    call.joinTimer = undefined;
    if (![...this.#calls.values()].some((other) => other.state === 'joining')) this.#keyPackages.dropKept();
  }

  /** The key a ring is checked under: the pinned one, even while its change is unconfirmed. */
  readonly #ringKeyLookup = async (userId: string): Promise<Uint8Array | null> => {
    const peerKey = this.#options.peerKey;
    if (peerKey === undefined) return this.#options.pinnedKey(userId);
    return peerKey(userId)?.identityKey ?? null;
  };

  /** Ended calls are kept (their views stay readable) only until the next call begins. */
  #forgetEnded(): void {
    for (const [groupId, call] of this.#calls) if (call.state === 'ended') this.#calls.delete(groupId);
  }

  #clearFallback(call: GroupCall): void {
    if (call.fallback !== undefined) clearTimeout(call.fallback);
    call.fallback = undefined;
  }

  #emitView(call: GroupCall): void {
    const view = this.#view(call);
    call.shownKeyChanged = view.keyChanged.join('\n');
    this.#emit(call, { kind: 'view', view });
  }

  #emit(call: GroupCall, event: DistributiveOmit<GroupCallEvent, 'groupId' | 'seq'>): void {
    call.seq += 1;
    this.#options.emit({ ...event, groupId: call.groupId, seq: call.seq });
  }

  #keyChangedIn(call: GroupCall): string[] {
    const peerKey = this.#options.peerKey;
    if (peerKey === undefined) return [];
    const everyone = new Set([call.owner, ...call.allowed, ...call.present]);
    everyone.delete(this.#self);
    return [...everyone].filter((userId) => peerKey(userId)?.keyChanged === true);
  }

  #view(call: GroupCall): GroupCallView {
    const leaves = call.session?.active === true ? call.session.members() : [];
    const indexOf = new Map(leaves.map((leaf) => [leaf.userId, leaf.index]));
    return {
      groupId: call.groupId,
      owner: call.owner,
      outgoing: call.owner === this.#self,
      media: call.media,
      state: call.state,
      invitees: [...call.allowed].filter((userId) => userId !== call.owner),
      members: call.present.map((userId) => ({ userId, index: indexOf.get(userId) ?? null })),
      unavailable: [...call.unavailable],
      declined: [...call.declined],
      keyChanged: this.#keyChangedIn(call),
      epoch: call.session?.active === true ? Number(call.session.epoch) : null,
      securityCode: call.securityCode,
      endReason: call.endReason,
      upgradeOf: call.upgradeOf,
      busy: [...call.busy],
      transport: call.transport,
    };
  }
}

/** Read afresh after an await, where the compiler still narrows `state` to what it was before. */
function isActive(call: GroupCall): boolean {
  return call.state === 'active';
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type { GroupErrorCode };
