import { constantTimeEqual } from '../../../shared/crypto/bytes';
import { isCryptoError } from '../../../shared/crypto/errors';
import {
  answerCall,
  checkInvite,
  finishAsCallee,
  finishAsCaller,
  startCall,
  type CalleePending,
  type CallerPending,
  type CallKeys as HandshakeKeys,
  type InviteAke,
  type LocalParty,
} from '../../../shared/crypto/handshake';
import { IpcError, type CallEvent, type CallEventBody, type CallView } from '../../../shared/ipc';
import {
  encodeCallKeys,
  inviteAkeFromWire,
  inviteAkeToWire,
  PROTOCOL_VERSION,
  revealAkeFromWire,
  revealAkeToWire,
  type CallEnded,
  type ClientMessage,
  type IncomingCallMessage,
  type SignalData,
} from '../../../shared/protocol';
import { callUpgradeKey } from '../../../shared/crypto/call-upgrade';
import { EndedCalls } from './ended-calls';
import { sdpKeepsCertificate, signalKeepsCertificate } from './signal-fingerprint';

/*
 * One call at a time, as a state machine: outgoing → ringing → connecting → connected → ended for
 * the caller, incoming → connecting → connected → ended for the callee. It runs the handshake
 * from shared/crypto, and hands the renderer only the two per-call base keys (the short code is in
 * the view). Every message must come from the call's peer and name the call's id; anything else is
 * ignored. What the renderer hears goes out as one numbered stream per call (`emit`), in order.
 */

type EndReason = NonNullable<CallView['endReason']>;
type Media = CallView['media'];

export interface CallPeer {
  id: string;
  displayName: string;
  /** Raw 32-byte Ed25519 key, as pinned. */
  identityKey: Uint8Array;
  verified: boolean;
  keyChanged: boolean;
}

export interface CallManagerDeps {
  self: LocalParty;
  /** Looks a contact up by id, with the key pinned for them; undefined for a stranger. */
  peer(userId: string): CallPeer | undefined;
  /**
   * "Call anyway" or "Answer anyway" on a key-changed contact: settles the change for exactly this
   * key, never for one pinned since (the user saw the number of this one).
   */
  acknowledgeKeyChange(userId: string, identityKey: Uint8Array): void;
  /** Sends through the server; false when offline. */
  send(message: ClientMessage): boolean;
  /** The call's events for the renderer (the IPC event `call.event`), numbered per call. */
  emit(event: CallEvent): void;
  /** Once per call, with its final view: history and notifications hang off this. */
  onEnded(view: CallView): void;
  now?: () => number;
  /** How long an outgoing call rings before giving up (the server's own timeout is 30 s). */
  ringTimeoutMs?: number;
  /** How long the handshake and ICE may take after accept before the call is abandoned. */
  connectTimeoutMs?: number;
  /** Whether a call id is already in the call history: a replayed invite for it must not ring. */
  inHistory?: (callId: string) => boolean;
  /** Whether this device is in a group call: a 1:1 call is then busy, as with another 1:1 call. */
  busyElsewhere?: () => boolean;
}

interface ActiveCall {
  view: CallView;
  peer: CallPeer;
  caller?: CallerPending;
  callee?: CalleePending;
  invite?: InviteAke;
  keys?: HandshakeKeys;
  /** This side's own DTLS fingerprint as it signed it: every SDP it sends must carry exactly this. */
  localFingerprint?: string;
  timer?: NodeJS.Timeout;
  /** Signals from while the server link was down, sent once it is back. */
  held?: ClientMessage[];
  /** The seq of the call's last event. */
  seq: number;
  /** Keys the tags that let this call become a group call (shared/crypto/call-upgrade.ts); zeroed at the end. */
  upgradeKey?: Uint8Array;
}

/** A connected call that may become a group call: who is on the other end, and the key for its upgrade tags. */
export interface UpgradableCall {
  readonly callId: string;
  readonly peerId: string;
  readonly upgradeKey: Uint8Array;
}

const MAX_HELD_SIGNALS = 64;

export class CallManager {
  private active: ActiveCall | undefined;
  private inbox: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly ended = new EndedCalls();
  /**
   * A call this end upgraded without a word to the peer: the server holds it open until the peer's
   * hang-up, which its join sends. Until that comes, the next call placed here closes it first.
   */
  private upgradedOpen: { callId: string; peerId: string } | undefined;

  constructor(private readonly deps: CallManagerDeps) {
    this.now = deps.now ?? Date.now;
  }

  current(): CallView | null {
    return this.active ? { ...this.active.view } : null;
  }

  async start(request: { callId: string; userId: string; media: Media; fingerprint: string; confirmKeyChange: boolean }): Promise<CallView> {
    if (this.inCall()) throw new IpcError('in-call', 'you are already in a call: hang up first');
    const { callId } = request;
    // The renderer names the call: an id already used here would mix two calls' events and history.
    if (this.ended.has(callId) || this.deps.inHistory?.(callId) === true) {
      throw new IpcError('bad-request', 'this call id was used before: every call needs a new one');
    }
    const peer = this.deps.peer(request.userId);
    if (!peer) throw new IpcError('no-such-contact', `no contact '${request.userId}' in the directory`);
    if (request.userId === this.deps.self.id) throw new IpcError('bad-request', 'you cannot call yourself');
    this.closeUpgraded();
    if (peer.keyChanged && !request.confirmKeyChange) {
      throw new IpcError('key-changed', `${peer.displayName}'s safety number has changed: confirm before calling`);
    }
    let started;
    try {
      started = await startCall({
        callId,
        self: this.deps.self,
        peer: { id: peer.id, identityKey: peer.identityKey },
        fingerprint: request.fingerprint,
        media: request.media,
      });
    } catch (error) {
      throw new IpcError('bad-request', isCryptoError(error) ? error.message : 'cannot start the handshake');
    }
    // Another call may have arrived while the handshake was being signed.
    if (this.inCall()) throw new IpcError('in-call', 'another call started meanwhile');
    // The same id placed twice at once: the second waited on its signature while the first ended.
    if (this.ended.has(callId)) throw new IpcError('bad-request', 'this call id was used before: every call needs a new one');
    const sent = this.deps.send({
      v: PROTOCOL_VERSION,
      type: 'call.invite',
      callId,
      to: peer.id,
      media: request.media,
      ake: inviteAkeToWire(started.invite),
    });
    if (!sent) throw new IpcError('not-connected', 'not connected to the Sealcall server; the call was not placed');
    if (peer.keyChanged) this.deps.acknowledgeKeyChange(peer.id, peer.identityKey);
    this.active = { view: this.newView(callId, peer, 'outgoing', request.media, null), peer, caller: started.state, seq: 0 };
    this.arm(this.deps.ringTimeoutMs ?? 35_000, 'timeout');
    this.changed();
    return this.viewOf(callId);
  }

  async accept(request: { callId: string; media: Media; fingerprint: string; confirmKeyChange?: boolean | undefined }): Promise<CallView> {
    const call = this.require(request.callId);
    if (call.view.state !== 'incoming' || call.invite === undefined) {
      throw new IpcError('bad-request', `the call is ${call.view.state}; only a ringing incoming call can be accepted`);
    }
    if (this.deps.busyElsewhere?.() === true) throw new IpcError('in-call', 'you are in a group call: leave it first');
    const gate = this.incomingGate(call);
    if (gate === 'repinned') {
      // The invite was checked against a key that is no longer the pinned one, so the number the
      // user could review is not this call's: the call cannot be answered knowingly.
      this.deps.send({ v: PROTOCOL_VERSION, type: 'call.decline', callId: call.view.callId, to: call.peer.id, reason: 'key-changed' });
      this.end(call, 'declined');
      throw new IpcError('key-changed', `the key that rang is no longer the one pinned for ${call.peer.displayName}; the call was declined`);
    }
    if (gate === 'unconfirmed' && request.confirmKeyChange !== true) {
      throw new IpcError('key-changed', `${call.peer.displayName}'s safety number has changed: confirm before answering`);
    }
    let answered;
    try {
      answered = await answerCall({
        callId: call.view.callId,
        self: this.deps.self,
        peer: { id: call.peer.id, identityKey: call.peer.identityKey },
        fingerprint: request.fingerprint,
        media: request.media,
        invite: call.invite,
      });
    } catch (error) {
      throw new IpcError('bad-request', isCryptoError(error) ? error.message : 'cannot answer the handshake');
    }
    if (this.active !== call) throw new IpcError('no-such-call', 'the call ended before it was accepted');
    const { accept } = answered;
    const sent = this.deps.send({
      v: PROTOCOL_VERSION,
      type: 'call.accept',
      callId: call.view.callId,
      to: call.peer.id,
      media: request.media,
      ake: revealAkeToWire(accept),
    });
    if (!sent) throw new IpcError('not-connected', 'not connected to the Sealcall server; try again in a moment');
    if (gate === 'unconfirmed') this.deps.acknowledgeKeyChange(call.peer.id, call.peer.identityKey);
    call.callee = answered.state;
    call.view = { ...call.view, state: 'connecting', media: request.media };
    this.arm(this.deps.connectTimeoutMs ?? 30_000, 'connection-lost');
    this.changed();
    return this.viewOf(call.view.callId);
  }

  decline(callId: string): CallView {
    const call = this.require(callId);
    if (call.view.state !== 'incoming') throw new IpcError('bad-request', `the call is ${call.view.state}, not ringing`);
    // The caller learns that the decline was about the new key, as with Signal's "safety number changed".
    const reason = this.incomingGate(call) === 'open' ? 'declined' : 'key-changed';
    this.deps.send({ v: PROTOCOL_VERSION, type: 'call.decline', callId, to: call.peer.id, reason });
    return this.end(call, 'declined');
  }

  hangup(callId: string, reason: 'hangup' | 'connection-lost' | 'mitm-detected' | 'handshake-failed' | 'decrypt-failed' = 'hangup'): CallView {
    const call = this.require(callId);
    const notYetAnswered = call.view.direction === 'outgoing' && (call.view.state === 'outgoing' || call.view.state === 'ringing');
    if (notYetAnswered) {
      this.deps.send({ v: PROTOCOL_VERSION, type: 'call.cancel', callId, to: call.peer.id });
      return this.end(call, 'cancelled');
    }
    if (call.view.state === 'incoming') return this.decline(callId);
    this.deps.send({ v: PROTOCOL_VERSION, type: 'call.hangup', callId, to: call.peer.id, reason });
    return this.end(call, reason);
  }

  signal(callId: string, data: SignalData): void {
    const call = this.require(callId);
    if (call.keys === undefined || call.localFingerprint === undefined) {
      throw new IpcError('bad-request', 'the handshake is not finished; no signalling yet');
    }
    // Our own page offering a certificate other than the one we signed would have the peer run
    // DTLS with a stranger: it is not relayed, and the call ends before anything else is.
    if (!signalKeepsCertificate(data, call.localFingerprint)) {
      this.endAsMitm(call);
      throw new IpcError('bad-request', 'this SDP does not carry the certificate this side signed; the call was ended');
    }
    const message = { v: PROTOCOL_VERSION, type: 'call.signal', callId, to: call.peer.id, data } as const;
    if (this.deps.send(message)) return;
    // A connected call outlives the server link: an ICE restart's offer waits for the link to
    // come back rather than being lost. Bounded, since candidates keep coming while it is down.
    if (call.view.state !== 'connected' || (call.held ??= []).length >= MAX_HELD_SIGNALS) {
      throw new IpcError('not-connected', 'not connected to the Sealcall server');
    }
    call.held.push(message);
  }

  /**
   * The server link is back: a connected call is claimed again (the server may have restarted and
   * forgotten it, or kept it through its grace), then what was held back is sent.
   */
  resumeAfterReconnect(): void {
    const call = this.active;
    if (call?.view.state !== 'connected') return;
    const role = call.view.direction === 'outgoing' ? 'caller' : 'callee';
    this.deps.send({ v: PROTOCOL_VERSION, type: 'call.resume', callId: call.view.callId, to: call.peer.id, role });
    const held = call.held ?? [];
    call.held = [];
    for (const message of held) this.deps.send(message);
  }

  /**
   * The call with this id, if it is connected here (handshake done, media up): only such a call
   * may become a group call, on either end.
   */
  upgradable(callId: string): UpgradableCall | undefined {
    const call = this.active;
    if (call?.view.callId !== callId || call.view.state !== 'connected' || call.upgradeKey === undefined) return undefined;
    return { callId, peerId: call.peer.id, upgradeKey: call.upgradeKey };
  }

  /**
   * The call went on as a group call. The end that added people says nothing (the other end must
   * still hold the call when the group's ring comes, to join it unrung); the end that joins tells
   * the peer, which also ends the call at the server.
   */
  upgraded(callId: string, tellPeer: boolean): void {
    const call = this.active;
    if (call?.view.callId !== callId) return;
    if (tellPeer) this.deps.send({ v: PROTOCOL_VERSION, type: 'call.hangup', callId, to: call.peer.id, reason: 'hangup' });
    else this.upgradedOpen = { callId, peerId: call.peer.id };
    this.end(call, 'upgraded');
  }

  /** Ends at the server an upgraded call whose peer never hung up (it did not join the group, say). */
  private closeUpgraded(): void {
    const open = this.upgradedOpen;
    this.upgradedOpen = undefined;
    if (open !== undefined) this.deps.send({ v: PROTOCOL_VERSION, type: 'call.hangup', callId: open.callId, to: open.peerId, reason: 'hangup' });
  }

  /** WebRTC is up: the remote SDP must carry exactly the certificate the peer signed. */
  connected(callId: string, remoteSdp: string): { fingerprintOk: boolean; call: CallView } {
    const call = this.require(callId);
    if (call.keys === undefined) throw new IpcError('bad-request', 'the handshake is not finished');
    if (!sdpKeepsCertificate(remoteSdp, call.keys.remoteFingerprint)) return { fingerprintOk: false, call: this.endAsMitm(call) };
    if (call.view.state !== 'connected') {
      clearTimeout(call.timer);
      call.view = { ...call.view, state: 'connected', connectedAt: this.now() };
      this.changed();
    }
    return { fingerprintOk: true, call: this.viewOf(callId) };
  }

  /** The server refused a message of this call (the callee is offline, or unknown): an unplaced call ends. */
  refused(callId: string): void {
    const call = this.active;
    if (call?.view.callId !== callId) return;
    if (call.view.direction === 'outgoing' && (call.view.state === 'outgoing' || call.view.state === 'ringing')) this.end(call, 'unavailable');
  }

  /** The server link dropped: calls still being set up cannot finish; connected calls go on peer to peer. */
  serverLost(): void {
    const call = this.active;
    if (call && call.view.state !== 'connected') this.end(call, 'server-lost');
  }

  /**
   * Everything call-related the server sends, handled one message at a time in arrival order. The
   * confirm's key derivation is async, and the caller's offer follows it on the wire at once: taken
   * concurrently, the offer would meet a call without keys yet and be dropped, and the call would
   * hang at "connecting".
   */
  receive(message: IncomingCallMessage | CallEnded): Promise<void> {
    const handled = this.inbox.then(() => this.handle(message));
    this.inbox = handled.catch(() => undefined);
    return handled;
  }

  private async handle(message: IncomingCallMessage | CallEnded): Promise<void> {
    if (message.type === 'call.invite') {
      await this.receiveInvite(message);
      return;
    }
    if (this.upgradedOpen?.callId === message.callId && (message.type === 'call.ended' || message.type === 'call.hangup')) this.upgradedOpen = undefined;
    const call = this.active;
    if (call?.view.callId !== message.callId) return;
    if (message.type === 'call.ended') {
      this.end(call, message.reason === 'timeout' ? 'timeout' : 'peer-disconnected');
      return;
    }
    if (message.from !== call.peer.id) return;
    switch (message.type) {
      case 'call.ringing':
        if (call.view.state === 'outgoing') {
          call.view = { ...call.view, state: 'ringing' };
          this.changed();
        }
        return;
      case 'call.accept':
        await this.receiveAccept(call, message);
        return;
      case 'call.confirm':
        await this.receiveConfirm(call, message);
        return;
      case 'call.decline':
        this.end(call, 'declined');
        return;
      case 'call.busy':
        this.end(call, 'busy');
        return;
      case 'call.cancel':
        this.end(call, 'cancelled');
        return;
      case 'call.hangup':
        this.end(call, message.reason === 'hangup' ? 'remote-hangup' : message.reason);
        return;
      case 'call.signal':
        this.receiveSignal(call, message.data);
        return;
    }
  }

  /**
   * A signal from the peer, through the server, on its way to our page. None goes before the keys
   * (there is no fingerprint to hold it to yet; the handshake orders the confirm before the offer,
   * so an honest one never comes that early), and every SDP, the first and any later one, must
   * carry the certificate the peer signed, or the call ends before the page's WebRTC sees it.
   */
  private receiveSignal(call: ActiveCall, data: SignalData): void {
    if (call.keys === undefined) return;
    if (!signalKeepsCertificate(data, call.keys.remoteFingerprint)) {
      this.endAsMitm(call);
      return;
    }
    this.emit(call, { kind: 'signal', data });
  }

  /** A certificate other than the signed one: the peer is told why, and the user is warned. */
  private endAsMitm(call: ActiveCall): CallView {
    this.deps.send({ v: PROTOCOL_VERSION, type: 'call.hangup', callId: call.view.callId, to: call.peer.id, reason: 'mitm-detected' });
    return this.end(call, 'mitm-detected');
  }

  private async receiveInvite(message: Extract<IncomingCallMessage, { type: 'call.invite' }>): Promise<void> {
    const busyReply = { v: PROTOCOL_VERSION, callId: message.callId, to: message.from } as const;
    if (this.deps.busyElsewhere?.() === true) {
      this.deps.send({ ...busyReply, type: 'call.busy' });
      return;
    }
    if (this.active) {
      if (this.active.view.callId !== message.callId) this.deps.send({ ...busyReply, type: 'call.busy' });
      return;
    }
    // A replay of a finished call's invite: the caller is not waiting for it, so nothing is said.
    if (this.ended.has(message.callId) || this.deps.inHistory?.(message.callId) === true) return;
    const peer = this.deps.peer(message.from);
    if (!peer) {
      this.deps.send({ ...busyReply, type: 'call.decline', reason: 'unsupported' });
      return;
    }
    const invite = { media: message.media, ...inviteAkeFromWire(message.ake) };
    try {
      await checkInvite({
        callId: message.callId,
        self: { id: this.deps.self.id, identityKey: this.deps.self.identity.publicKey },
        peer: { id: peer.id, identityKey: peer.identityKey },
        invite,
      });
    } catch {
      // Not from the key we pinned for them: it never rings. The caller learns why.
      this.deps.send({ ...busyReply, type: 'call.hangup', reason: 'handshake-failed' });
      return;
    }
    if (this.inCall()) {
      this.deps.send({ ...busyReply, type: 'call.busy' });
      return;
    }
    this.active = { view: this.newView(message.callId, peer, 'incoming', { audio: true, video: false }, message.media), peer, invite, seq: 0 };
    this.deps.send({ ...busyReply, type: 'call.ringing' });
    this.arm(this.deps.ringTimeoutMs ?? 35_000, 'timeout');
    this.changed();
  }

  private async receiveAccept(call: ActiveCall, message: Extract<IncomingCallMessage, { type: 'call.accept' }>): Promise<void> {
    if (call.caller === undefined || (call.view.state !== 'outgoing' && call.view.state !== 'ringing')) return;
    const pending = call.caller;
    call.caller = undefined;
    let finished;
    try {
      finished = await finishAsCaller(pending, { media: message.media, ...revealAkeFromWire(message.ake) });
    } catch {
      this.failHandshake(call);
      return;
    }
    const upgradeKey = await upgradeKeyOf(finished.keys, true);
    if (this.active !== call) {
      upgradeKey.fill(0);
      return;
    }
    const { confirm, keys } = finished;
    this.deps.send({
      v: PROTOCOL_VERSION,
      type: 'call.confirm',
      callId: call.view.callId,
      to: call.peer.id,
      ake: revealAkeToWire(confirm),
    });
    call.view = { ...call.view, state: 'connecting', remoteMedia: message.media };
    this.established(call, keys, true, pending.fingerprint, upgradeKey);
  }

  private async receiveConfirm(call: ActiveCall, message: Extract<IncomingCallMessage, { type: 'call.confirm' }>): Promise<void> {
    if (call.callee === undefined || call.view.state !== 'connecting') return;
    const pending = call.callee;
    call.callee = undefined;
    let keys;
    try {
      keys = await finishAsCallee(pending, revealAkeFromWire(message.ake));
    } catch {
      this.failHandshake(call);
      return;
    }
    const upgradeKey = await upgradeKeyOf(keys, false);
    if (this.active !== call) {
      upgradeKey.fill(0);
      return;
    }
    this.established(call, keys, false, pending.accept.fingerprint, upgradeKey);
  }

  private established(call: ActiveCall, keys: HandshakeKeys, initiator: boolean, localFingerprint: string, upgradeKey: Uint8Array): void {
    call.keys = keys;
    call.upgradeKey = upgradeKey;
    call.localFingerprint = localFingerprint;
    call.view = { ...call.view, shortCode: keys.shortCode };
    this.arm(this.deps.connectTimeoutMs ?? 30_000, 'connection-lost');
    // Keys before the view that shows the short code: the page has them when it learns the call is keyed.
    this.emit(call, { kind: 'keys', keys: encodeCallKeys({ sendKey: keys.sendKey, receiveKey: keys.receiveKey, initiator }) });
    this.changed();
  }

  private failHandshake(call: ActiveCall): void {
    if (this.active !== call) return;
    this.deps.send({ v: PROTOCOL_VERSION, type: 'call.hangup', callId: call.view.callId, to: call.peer.id, reason: 'handshake-failed' });
    this.end(call, 'handshake-failed');
  }

  private newView(callId: string, peer: CallPeer, direction: CallView['direction'], media: Media, remoteMedia: Media | null): CallView {
    return {
      callId,
      peerId: peer.id,
      peerName: peer.displayName,
      direction,
      state: direction,
      media,
      remoteMedia,
      startedAt: this.now(),
      connectedAt: null,
      endedAt: null,
      endReason: null,
      shortCode: null,
      peerVerified: peer.verified,
      peerKeyChanged: peer.keyChanged,
    };
  }

  /** One timer per call: ringing, then connecting; when it fires, the call ends with `reason`. */
  private arm(ms: number, reason: EndReason): void {
    const call = this.active;
    if (!call) return;
    clearTimeout(call.timer);
    call.timer = setTimeout(() => {
      if (this.active !== call || call.view.state === 'connected') return;
      const waitingForAnswer = call.view.state === 'outgoing' || call.view.state === 'ringing';
      if (waitingForAnswer) this.deps.send({ v: PROTOCOL_VERSION, type: 'call.cancel', callId: call.view.callId, to: call.peer.id });
      else if (call.view.state === 'connecting') {
        this.deps.send({ v: PROTOCOL_VERSION, type: 'call.hangup', callId: call.view.callId, to: call.peer.id, reason: 'connection-lost' });
      }
      this.end(call, reason);
    }, ms);
    call.timer.unref();
  }

  private end(call: ActiveCall, reason: EndReason): CallView {
    clearTimeout(call.timer);
    call.view = { ...call.view, state: 'ended', endReason: reason, endedAt: this.now() };
    if (call.keys) {
      // The renderer holds its own copy for as long as the call's transforms run; this one goes now.
      call.keys.sendKey.fill(0);
      call.keys.receiveKey.fill(0);
    }
    call.upgradeKey?.fill(0);
    const view = { ...call.view };
    this.ended.add(view.callId);
    if (this.active === call) this.active = undefined;
    this.emit(call, { kind: 'view', view: { ...view } });
    this.deps.onEnded(view);
    return view;
  }

  /**
   * Whether a ringing call may be answered as it is. Read from the pins now, not from when it began
   * to ring: a key change settled meanwhile (verified in another pane) opens the gate, and a key
   * pinned after the invite was checked closes it for good.
   */
  private incomingGate(call: ActiveCall): 'open' | 'unconfirmed' | 'repinned' {
    const now = this.deps.peer(call.peer.id);
    if (now === undefined || !constantTimeEqual(now.identityKey, call.peer.identityKey)) return 'repinned';
    return now.keyChanged ? 'unconfirmed' : 'open';
  }

  /** Re-read after an await: the state may have moved while the handshake ran. */
  private inCall(): boolean {
    return this.active !== undefined || this.deps.busyElsewhere?.() === true;
  }

  private require(callId: string): ActiveCall {
    const call = this.active;
    if (call?.view.callId !== callId) throw new IpcError('no-such-call', 'no such call in progress');
    return call;
  }

  private viewOf(callId: string): CallView {
    return { ...this.require(callId).view };
  }

  private changed(): void {
    if (this.active) this.emit(this.active, { kind: 'view', view: { ...this.active.view } });
  }

  /** Numbers the call's next event and hands it on: one counter per call, so the page can check the order. */
  private emit(call: ActiveCall, body: CallEventBody): void {
    call.seq += 1;
    this.deps.emit({ ...body, callId: call.view.callId, seq: call.seq });
  }
}

/** The caller sends on caller-to-callee; both ends name the two keys by direction, so they derive the same key. */
function upgradeKeyOf(keys: HandshakeKeys, caller: boolean): Promise<Uint8Array> {
  return callUpgradeKey({
    callerToCallee: caller ? keys.sendKey : keys.receiveKey,
    calleeToCaller: caller ? keys.receiveKey : keys.sendKey,
    transcriptHash: keys.transcriptHash,
  });
}
