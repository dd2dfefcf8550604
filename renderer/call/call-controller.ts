import { IpcError, ipcErrorCode, type CallEvent, type CallKeys, type CallView, type SealcallBridge } from '../../shared/ipc';
import { newCallId } from '../../shared/protocol/call-codec';
import type { SignalData } from '../../shared/protocol/call';
import type { Media, StartChoice } from './call-engine-types';

/*
 * The page's side of a call, as a plain state machine: which call it follows, what the core last
 * said about it, and when that call's media session is opened, fed and closed. No React, no DOM:
 * the media session is given (CallSession in the app), so the rules here are unit-tested alone.
 *
 * The page names its calls (call.start carries the id it chose), so every core event is known for
 * its own from the first: events of any other call are ignored, and within the call followed, an
 * event whose `seq` is not past the last one seen is a replay and is dropped.
 */

/** What the controller needs of one call's media and WebRTC. */
export interface CallMediaSession {
  readonly callId: string;
  /** The DTLS certificate's fingerprint, once prepared: it is signed into the handshake. */
  readonly fingerprint: string;
  /** Certificate, camera and microphone, ICE servers: everything before the core hears of the call. */
  prepare(media: Media, start?: StartChoice): Promise<void>;
  /** Builds the peer once the invite or accept is on its way. */
  openPeer(): void;
  /** The handshake's keys: throws when the call cannot be set up with them. */
  start(keys: CallKeys): void;
  /** The peer's signalling; held by the session until its peer exists. */
  receiveSignal(data: SignalData): void;
  isClosed(): boolean;
  close(): Promise<unknown>;
}

/** What a media session reports back. */
export interface MediaSessionEvents {
  /** This side's signalling for the other side. */
  signal(data: SignalData): void;
  /** The peer connection is up: the core checks the remote SDP's certificate. */
  connected(remoteSdp: string): void;
  /** The connection failed or closed on its own. */
  lost(reason: string): void;
  /** The call cannot go on here (say, the camera failed after the call was placed). */
  failed(message: string): void;
}

export interface CallControllerState {
  /** The core's latest view of the call followed (the last one's end stays until another call). */
  call: CallView | null;
  /** A call this page placed that the core has not shown yet: the screens say "Calling…". */
  placing: { callId: string; peerId: string; media: Media } | null;
  /** The ringing call is being answered, until the core's view moves on or the answer fails. */
  answering: boolean;
  /** A problem the user must see (a man in the middle, a lost connection, a failed camera). */
  error: string | null;
}

export interface CallControllerDeps<S extends CallMediaSession> {
  bridge: Pick<SealcallBridge, 'invoke' | 'on'>;
  openSession(init: { callId: string; direction: 'outgoing' | 'incoming'; peerId: string }, events: MediaSessionEvents): S;
  changed(state: CallControllerState): void;
  /** A session's fingerprint check passed: the call is up. */
  connected?(session: S): void;
  /** A session is closed (its tracks stopped, its keys wiped). */
  closed?(session: S): void;
  /** An incoming call rings: what answering needs can be fetched now. */
  ringing?(): void;
  /** How long a closed peer waits for the core to say the call ended before calling it lost. */
  lostGraceMs?: number;
  newCallId?: () => string;
}

const DEFAULT_LOST_GRACE_MS = 2000;
export const MITM_WARNING =
  "The call was stopped: the connection did not come from the device that signed the call. Someone may be intercepting calls. Don't call back until you have compared safety numbers in person.";

function isLive(view: CallView | null): view is CallView {
  return view !== null && view.state !== 'ended';
}

function messageOf(error: unknown, fallback: string): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return fallback;
}

export class CallController<S extends CallMediaSession> {
  #state: CallControllerState = { call: null, placing: null, answering: false, error: null };
  /** The call whose events are taken, and the seq of the last one taken; null before any call. */
  #following: { callId: string; seq: number } | null = null;
  /** The current call's session; after it ends, the last one stays (for inspection). */
  #session: S | null = null;
  readonly #unsubscribe: () => void;
  #disposed = false;
  readonly #deps: CallControllerDeps<S>;

  constructor(deps: CallControllerDeps<S>) {
    this.#deps = deps;
    this.#unsubscribe = deps.bridge.on('call.event', (event) => {
      this.receive(event);
    });
    // A page that loads (or reloads) mid-call: a ringing call can still be answered; a live one has
    // lost its peer and keys with the old page, and cannot go on.
    deps.bridge
      .invoke('call.current')
      .then((view) => {
        if (view === null || this.#disposed || this.#following !== null) return;
        if (view.state === 'incoming') {
          this.#following = { callId: view.callId, seq: 0 };
          this.#update({ call: view });
        } else if (isLive(view)) this.#hangUpCore(view.callId, 'connection-lost');
      })
      .catch(() => undefined);
  }

  get state(): CallControllerState {
    return this.#state;
  }

  /** The current call's media session, or the last one once it ended; null before any. */
  get session(): S | null {
    return this.#session;
  }

  /** The session of a call still going on here. */
  liveSession(): S | null {
    return this.#session !== null && !this.#session.isClosed() ? this.#session : null;
  }

  /** One core event. Public for the bridge subscription; tests feed it through a bridge too. */
  receive(event: CallEvent): void {
    if (this.#disposed) return;
    const following = this.#following;
    if (following?.callId !== event.callId) {
      // Only a new ring takes over, and only once this page's call is over.
      if (this.#busy() || event.kind !== 'view' || event.view.state !== 'incoming') return;
      this.#following = { callId: event.callId, seq: event.seq };
      this.#view(event.view);
      return;
    }
    if (event.seq <= following.seq) return;
    following.seq = event.seq;
    const session = this.liveSession();
    switch (event.kind) {
      case 'view':
        this.#view(event.view);
        return;
      case 'keys':
        if (session?.callId === event.callId) this.#startWithKeys(session, event.keys);
        return;
      case 'signal':
        if (session?.callId === event.callId) session.receiveSignal(event.data);
        return;
    }
  }

  /** Places a call. Rejects with the core's refusal (code 'key-changed' when the gate applies). */
  async call(userId: string, media: Media, options?: { confirmKeyChange?: boolean; start?: StartChoice }): Promise<void> {
    if (this.#busy()) throw new IpcError('in-call', 'you are already in a call: hang up first');
    const callId = (this.#deps.newCallId ?? newCallId)();
    this.#following = { callId, seq: 0 };
    const session = this.#open({ callId, direction: 'outgoing', peerId: userId });
    this.#update({ call: null, placing: { callId, peerId: userId, media }, answering: false, error: null });
    await this.#placeOrAnswer(session, media, options?.start, () =>
      this.#deps.bridge.invoke('call.start', { callId, userId, media, fingerprint: session.fingerprint, confirmKeyChange: options?.confirmKeyChange ?? false }),
    );
  }

  /** Answers the ringing call. Rejects with 'key-changed' for a caller whose key changed, unless `confirmKeyChange`. */
  async accept(media: Media, start?: StartChoice, options?: { confirmKeyChange?: boolean }): Promise<void> {
    const ringing = this.#state.call;
    if (ringing?.state !== 'incoming') throw new IpcError('no-such-call', 'there is no incoming call to answer');
    if (this.liveSession() !== null) throw new IpcError('in-call', 'you are already in a call: hang up first');
    const session = this.#open({ callId: ringing.callId, direction: 'incoming', peerId: ringing.peerId });
    this.#update({ answering: true, error: null });
    await this.#placeOrAnswer(session, media, start, () =>
      this.#deps.bridge.invoke('call.accept', { callId: ringing.callId, media, fingerprint: session.fingerprint, confirmKeyChange: options?.confirmKeyChange ?? false }),
    );
  }

  async decline(): Promise<void> {
    const ringing = this.#state.call;
    if (ringing?.state !== 'incoming') throw new IpcError('no-such-call', 'there is no incoming call to decline');
    this.#answered(await this.#deps.bridge.invoke('call.decline', { callId: ringing.callId }));
  }

  async hangup(): Promise<void> {
    const session = this.liveSession();
    if (session === null) {
      const view = this.#state.call;
      if (view?.state === 'incoming') await this.decline();
      else if (isLive(view)) this.#answered(await this.#deps.bridge.invoke('call.hangup', { callId: view.callId }));
      return;
    }
    // Media stops at once (the camera light goes off), and the core is told in parallel. A call
    // hung up before the core placed it is hung up again once it has (see #placeOrAnswer).
    if (this.#state.placing?.callId === session.callId) this.#update({ placing: null });
    const ended = this.#end(session);
    const view = await this.#deps.bridge.invoke('call.hangup', { callId: session.callId }).catch(() => null);
    if (view !== null) this.#answered(view);
    await ended;
  }

  /** A problem with this call's media the user must see (the error is the controller's, so that it is one). */
  showError(message: string): void {
    this.#update({ error: message });
  }

  dispose(): void {
    this.#disposed = true;
    this.#unsubscribe();
    const session = this.liveSession();
    if (session !== null) {
      this.#hangUpCore(session.callId);
      void this.#end(session);
    }
  }

  /** A call of this page's is on: placed, ringing here or there, or connected. */
  #busy(): boolean {
    return this.liveSession() !== null || this.#state.placing !== null || isLive(this.#state.call);
  }

  #open(init: { callId: string; direction: 'outgoing' | 'incoming'; peerId: string }): S {
    const session: S = this.#deps.openSession(init, {
      signal: (data) => {
        if (session.isClosed()) return;
        this.#deps.bridge.invoke('call.signal', { callId: session.callId, data }).catch(() => undefined);
      },
      connected: (remoteSdp) => {
        void this.#reportConnected(session, remoteSdp);
      },
      lost: () => {
        // A far-side hang-up closes the peer too, often before the core relays why: give the
        // core's word a moment to arrive, so the call ends as what it was, not "connection lost".
        setTimeout(() => {
          if (session.isClosed()) return;
          this.#hangUpCore(session.callId, 'connection-lost');
          if (session === this.#session) this.#update({ error: `The connection to ${this.#state.call?.peerName ?? 'the other side'} was lost.` });
          void this.#end(session);
        }, this.#deps.lostGraceMs ?? DEFAULT_LOST_GRACE_MS);
      },
      failed: (message) => {
        if (session.isClosed()) return;
        if (session === this.#session) this.#update({ error: message });
        this.#hangUpCore(session.callId);
        void this.#end(session);
      },
    });
    this.#session = session;
    return session;
  }

  /** Prepares the session, then asks the core; on failure, undoes the session and rethrows. */
  async #placeOrAnswer(session: S, media: Media, start: StartChoice | undefined, request: () => Promise<CallView>): Promise<void> {
    try {
      await session.prepare(media, start);
      if (session.isClosed()) return;
      const requested = request();
      // After the request has gone out, so that its construction does not hold up the invite or the accept.
      session.openPeer();
      const view = await requested;
      if (session.isClosed()) {
        // Hung up while the core was placing the call.
        if (isLive(view)) this.#hangUpCore(view.callId);
        return;
      }
      // The events carry the same view, in order; the answer counts only if none has come yet.
      if (this.#state.call?.callId !== view.callId) this.#answered(view);
    } catch (error) {
      if (session === this.#session) {
        this.#update({ answering: false, placing: this.#state.placing?.callId === session.callId ? null : this.#state.placing });
      }
      await this.#end(session);
      // A refusal from the core (key changed, offline…) goes back to whoever placed or answered; a
      // camera or microphone problem is also shown in the state.
      if (ipcErrorCode(error) === undefined && session === this.#session) this.#update({ error: messageOf(error, 'The call could not be set up.') });
      throw error;
    }
  }

  /** A view the core returned for a request on the call followed. */
  #answered(view: CallView): void {
    if (this.#following?.callId !== view.callId) return;
    this.#view(view);
  }

  #view(view: CallView): void {
    const placing = this.#state.placing?.callId === view.callId ? null : this.#state.placing;
    this.#update({ call: view, placing, answering: this.#state.answering && view.state === 'incoming' });
    if (view.state === 'incoming') this.#deps.ringing?.();
    const session = this.liveSession();
    if (view.state === 'ended' && session?.callId === view.callId) void this.#end(session);
  }

  #startWithKeys(session: S, keys: CallKeys): void {
    try {
      session.start(keys);
    } catch (error) {
      this.#update({ error: messageOf(error, 'The call could not be set up.') });
      this.#hangUpCore(session.callId, 'connection-lost');
      void this.#end(session);
    }
  }

  async #reportConnected(session: S, remoteSdp: string): Promise<void> {
    if (session.isClosed()) return;
    try {
      const { fingerprintOk, call } = await this.#deps.bridge.invoke('call.connected', { callId: session.callId, remoteSdp });
      if (!fingerprintOk) {
        // The core has ended the call (mitm-detected) and told the other side.
        if (session === this.#session) this.#update({ error: MITM_WARNING });
        this.#answered(call);
        await this.#end(session);
        return;
      }
    } catch {
      return;
    }
    if (!session.isClosed()) this.#deps.connected?.(session);
  }

  async #end(session: S): Promise<void> {
    await session.close();
    this.#deps.closed?.(session);
  }

  #hangUpCore(callId: string, reason?: 'connection-lost'): void {
    this.#deps.bridge.invoke('call.hangup', reason === undefined ? { callId } : { callId, reason }).catch(() => {
      // The call is already over in the core (ended from the far side meanwhile).
    });
  }

  #update(patch: Partial<CallControllerState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#deps.changed(this.#state);
  }
}
