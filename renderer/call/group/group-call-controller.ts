import { IpcError, ipcErrorCode, type GroupEvent, type GroupKeys, type GroupMemberState, type GroupSeat, type GroupView, type SealcallBridge } from '../../../shared/ipc';
import { newCallId } from '../../../shared/protocol/call-codec';
import type { SignalData } from '../../../shared/protocol/call';
import type { GroupMedia } from './group-engine-types';

/*
 * The page's side of a group call, as a plain state machine over the bridge, like the 1:1
 * CallController: which group it follows, the core's latest view of it, and when the group's
 * media session (the mesh) is opened, fed and closed. No React, no DOM: the media session is
 * given, so the rules here are unit-tested alone (docs/group-calls.md, "The mesh").
 *
 * The core numbers each group's events from 1. They are applied strictly in that order: one that
 * comes early waits for the ones before it (a bounded number), one already applied is a replay and
 * is dropped.
 */

/** What the controller needs of the group's media: the mesh. */
export interface GroupMediaSession {
  readonly groupId: string;
  /** The call's one DTLS certificate's fingerprint, once prepared: the core signs it for every pair. */
  readonly fingerprint: string;
  /** Certificate, camera and microphone, ICE servers, the worker: everything before the core hears of it. */
  prepare(media: GroupMedia): Promise<void>;
  /** An epoch's keys, handed to the frame-crypto worker at once. */
  loadKeys(keys: GroupKeys): void;
  /** Who is in the call now: pairs open for members in the MLS group and close for those gone. */
  updateMembers(view: GroupView): void;
  /** The core refused this member's pair for the rest of the call: close it, open none again. */
  refusePair(userId: string): void;
  /** A member's signalling for its pair; held until that pair's peer exists. */
  receiveSignal(from: string, data: SignalData): void;
  /** A (fresh) seat in the call's SFU room; only a session that goes through the SFU takes it. */
  receiveSeat?(seat: GroupSeat): void;
  isClosed(): boolean;
  close(): Promise<unknown>;
}

/** What a media session reports back. */
export interface GroupSessionEvents {
  /** This side's signalling for one member. */
  signal(to: string, data: SignalData): void;
  /** The call cannot go on here (the camera failed, the worker refused the keys). */
  failed(message: string): void;
}

export interface GroupControllerState {
  view: GroupView | null;
  starting: { groupId: string; invitees: string[]; media: GroupMedia } | null;
  answering: boolean;
  error: string | null;
}

export interface GroupControllerDeps<S extends GroupMediaSession> {
  bridge: Pick<SealcallBridge, 'invoke' | 'on'>;
  /** This device's user id: it names the self member, and the lower id of a pair offers. */
  selfId(): Promise<string>;
  openSession(init: { groupId: string; selfId: string }, events: GroupSessionEvents): S;
  changed(state: GroupControllerState): void;
  /** A session is closed (its tracks stopped, its keys wiped). */
  closed?(session: S): void;
  /** A group call rings here. */
  ringing?(): void;
  /** A member's state (mute, camera, share, raised hand) as MLS authenticated it, for the call this page is in. */
  memberState?(member: { groupId: string; userId: string; state: GroupMemberState; seq: number }): void;
  newGroupId?: () => string;
}

/** Events that came ahead of a missing one; an honest core never gets near this. */
const MAX_EARLY_EVENTS = 64;

function isLive(view: GroupView | null): view is GroupView {
  return view !== null && view.state !== 'ended';
}

function messageOf(error: unknown, fallback: string): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return fallback;
}

/** What a refusal from the core means for the person in the call. */
function refusalText(code: string, message: string, userId: string | undefined): string {
  const who = userId === undefined ? '' : ` (${userId})`;
  return `Part of the group call was refused${who}: ${code === message ? code : message}`;
}

/** The connection to one member did not come from the device that signed for it. */
export function interceptedText(userId: string): string {
  return `The connection to ${userId} was stopped: it did not come from the device that signed for it. Someone may be intercepting calls. Compare safety numbers with ${userId} in person.`;
}

export class GroupCallController<S extends GroupMediaSession> {
  #state: GroupControllerState = { view: null, starting: null, answering: false, error: null };
  /** The group whose events are taken, the seq of the last one applied, and any that came early. */
  #following: { groupId: string; seq: number; early: Map<number, GroupEvent> } | null = null;
  #session: S | null = null;
  readonly #unsubscribe: () => void;
  #disposed = false;
  readonly #deps: GroupControllerDeps<S>;

  constructor(deps: GroupControllerDeps<S>) {
    this.#deps = deps;
    this.#unsubscribe = deps.bridge.on('group.event', (event) => {
      this.receive(event);
    });
    // A page that loads (or reloads) mid-call: a ringing call can still be answered; one this
    // device was in has lost its peers and keys with the old page, and is left.
    deps.bridge
      .invoke('group.current')
      .then((view) => {
        if (view === null || this.#disposed || this.#following !== null) return;
        if (view.state === 'incoming') {
          this.#following = { groupId: view.groupId, seq: 0, early: new Map() };
          this.#view(view);
        } else if (isLive(view)) this.#leaveCore(view.groupId);
      })
      .catch(() => undefined);
  }

  get state(): GroupControllerState {
    return this.#state;
  }

  /** The current call's session, or the last one once it ended; null before any. */
  get session(): S | null {
    return this.#session;
  }

  liveSession(): S | null {
    return this.#session !== null && !this.#session.isClosed() ? this.#session : null;
  }

  /** One core event. Public for the bridge subscription; tests feed it through a bridge too. */
  receive(event: GroupEvent): void {
    if (this.#disposed) return;
    const following = this.#following;
    if (following?.groupId !== event.groupId) {
      // Only a new ring takes over, and only once this page's call is over.
      if (this.#busy() || event.kind !== 'view' || event.view.state !== 'incoming') return;
      this.#following = { groupId: event.groupId, seq: event.seq, early: new Map() };
      this.#view(event.view);
      return;
    }
    if (event.seq <= following.seq) return;
    if (event.seq > following.seq + 1) {
      if (following.early.size < MAX_EARLY_EVENTS) following.early.set(event.seq, event);
      return;
    }
    this.#apply(following, event);
    for (let next = following.early.get(following.seq + 1); next !== undefined; next = following.early.get(following.seq + 1)) {
      following.early.delete(next.seq);
      this.#apply(following, next);
      if (this.#following !== following) return;
    }
  }

  /**
   * Starts a group call. Rejects with the core's refusal (code 'key-changed' when the gate applies).
   * `upgradeFrom`: "Add people" in that connected 1:1 call, whose other party is among `invitees`.
   */
  async start(invitees: string[], media: GroupMedia, options?: { confirmKeyChange?: boolean; upgradeFrom?: string }): Promise<void> {
    if (this.#busy()) throw new IpcError('in-call', 'you are already in a call: leave it first');
    const groupId = (this.#deps.newGroupId ?? newCallId)();
    this.#following = { groupId, seq: 0, early: new Map() };
    this.#update({ view: null, starting: { groupId, invitees: [...invitees], media }, answering: false, error: null });
    await this.#openAndRequest(groupId, media, (session) =>
      this.#deps.bridge.invoke('group.start', {
        groupId,
        invitees,
        media,
        fingerprint: session.fingerprint,
        confirmKeyChange: options?.confirmKeyChange ?? false,
        ...(options?.upgradeFrom === undefined ? {} : { upgradeFrom: options.upgradeFrom }),
      }),
    );
  }

  /** Accepts the ringing group call. Rejects with 'key-changed' for an owner whose key changed, unless `confirmKeyChange`. */
  async accept(media: GroupMedia, options?: { confirmKeyChange?: boolean }): Promise<void> {
    const ringing = this.#state.view;
    if (ringing?.state !== 'incoming') throw new IpcError('no-such-group', 'there is no group call ringing to accept');
    if (this.liveSession() !== null) throw new IpcError('in-call', 'you are already in a call: leave it first');
    this.#update({ answering: true, error: null });
    await this.#openAndRequest(ringing.groupId, media, (session) =>
      this.#deps.bridge.invoke('group.accept', {
        groupId: ringing.groupId,
        fingerprint: session.fingerprint,
        ...(options?.confirmKeyChange === true ? { confirmKeyChange: true } : {}),
      }),
    );
  }

  async decline(): Promise<void> {
    const ringing = this.#state.view;
    if (ringing?.state !== 'incoming') throw new IpcError('no-such-group', 'there is no group call ringing to decline');
    await this.#deps.bridge.invoke('group.decline', { groupId: ringing.groupId });
    this.#endLocally(ringing, 'left');
  }

  /**
   * Leaves the call (or stops starting it); the others carry on. The call is over here at once:
   * the core's answer and its own 'ended' view can take seconds on a loaded machine, and the
   * person who left must not see the call go on meanwhile.
   */
  async leave(): Promise<void> {
    const view = this.#state.view;
    const groupId = view?.groupId ?? this.#state.starting?.groupId;
    const session = this.liveSession();
    if (view?.state === 'incoming' && session === null) {
      await this.decline();
      return;
    }
    if (this.#state.starting !== null) this.#update({ starting: null });
    const ended = session === null ? Promise.resolve() : this.#end(session);
    if (view !== null) this.#endLocally(view, 'left');
    if (groupId !== undefined) await this.#deps.bridge.invoke('group.leave', { groupId }).catch(() => undefined);
    await ended;
  }

  /** The owner ends the call for everyone. */
  async end(): Promise<void> {
    const view = this.#ownLiveView();
    const session = this.liveSession();
    const ended = session === null ? Promise.resolve() : this.#end(session);
    await this.#deps.bridge.invoke('group.end', { groupId: view.groupId });
    this.#endLocally(view, 'ended');
    await ended;
  }

  /** The owner invites more people. */
  async invite(userIds: string[]): Promise<void> {
    const view = this.#ownLiveView();
    this.#answered(await this.#deps.bridge.invoke('group.invite', { groupId: view.groupId, userIds }));
  }

  /** The owner takes a member out; the group rekeys without them. */
  async remove(userId: string): Promise<void> {
    const view = this.#ownLiveView();
    await this.#deps.bridge.invoke('group.remove', { groupId: view.groupId, userId });
  }

  showError(message: string | null): void {
    this.#update({ error: message });
  }

  dispose(): void {
    this.#disposed = true;
    this.#unsubscribe();
    const session = this.liveSession();
    if (session !== null) {
      this.#leaveCore(session.groupId);
      void this.#end(session);
    }
  }

  #ownLiveView(): GroupView {
    const view = this.#state.view;
    if (!isLive(view) || view.state === 'incoming') throw new IpcError('no-such-group', 'there is no group call going on');
    if (!view.outgoing) throw new IpcError('group-refused', 'only the person who started the call can do that');
    return view;
  }

  #busy(): boolean {
    return this.liveSession() !== null || this.#state.starting !== null || isLive(this.#state.view);
  }

  #apply(following: { seq: number }, event: GroupEvent): void {
    following.seq = event.seq;
    const session = this.liveSession();
    const ours = session?.groupId === event.groupId ? session : null;
    switch (event.kind) {
      case 'view':
        this.#view(event.view);
        return;
      case 'keys':
        if (ours !== null) this.#loadKeys(ours, event.keys);
        return;
      case 'signal':
        ours?.receiveSignal(event.from, event.data);
        return;
      case 'seat':
        ours?.receiveSeat?.(event.seat);
        return;
      case 'member':
        if (ours !== null) this.#deps.memberState?.({ groupId: event.groupId, userId: event.userId, state: event.state, seq: event.seq });
        return;
      case 'refused':
        if (event.code === 'mitm-detected' && event.userId !== undefined) {
          ours?.refusePair(event.userId);
          this.#update({ error: interceptedText(event.userId) });
        } else this.#update({ error: refusalText(event.code, event.message, event.userId) });
        return;
    }
  }

  async #openAndRequest(groupId: string, media: GroupMedia, request: (session: S) => Promise<GroupView>): Promise<void> {
    let session: S | null = null;
    try {
      const selfId = await this.#deps.selfId();
      if (this.#following?.groupId !== groupId) throw new IpcError('no-such-group', 'the call was left while it was being set up');
      const opened: S = this.#deps.openSession(
        { groupId, selfId },
        {
          signal: (to, data) => {
            if (opened.isClosed()) return;
            this.#deps.bridge.invoke('group.signal', { groupId, to, data }).catch((error: unknown) => {
              if (!opened.isClosed()) this.#update({ error: `Signalling to ${to} failed: ${messageOf(error, 'refused')}` });
            });
          },
          failed: (message) => {
            if (opened.isClosed()) return;
            this.#update({ error: message });
            this.#leaveCore(groupId);
            void this.#end(opened);
          },
        },
      );
      session = opened;
      this.#session = opened;
      await opened.prepare(media);
      if (opened.isClosed()) return;
      const view = await request(opened);
      if (opened.isClosed()) {
        // Left while the core was setting the call up.
        if (isLive(view)) this.#leaveCore(view.groupId);
        return;
      }
      this.#update({ starting: null });
      // The events carry the same view, in order; the answer counts only if none has come yet.
      const shown = this.#state.view;
      if (shown?.groupId === view.groupId) opened.updateMembers(shown);
      else this.#answered(view);
    } catch (error) {
      this.#update({ answering: false, starting: this.#state.starting?.groupId === groupId ? null : this.#state.starting });
      if (session !== null) await this.#end(session);
      if (ipcErrorCode(error) === undefined) this.#update({ error: messageOf(error, 'The group call could not be set up.') });
      throw error;
    }
  }

  #answered(view: GroupView): void {
    if (this.#following?.groupId !== view.groupId) return;
    this.#view(view);
  }

  #view(view: GroupView): void {
    // A call ended here stays ended: a view the core sent before it heard of the leave or the
    // decline can still be on its way, and must not show the call going on again.
    const shown = this.#state.view;
    if (shown?.groupId === view.groupId && shown.state === 'ended' && view.state !== 'ended') return;
    const starting = this.#state.starting?.groupId === view.groupId ? null : this.#state.starting;
    const previous = this.#state.view;
    this.#update({ view, starting, answering: this.#state.answering && view.state === 'incoming' });
    if (view.state === 'incoming' && previous?.groupId !== view.groupId && typeof view.upgradeOf === 'string') {
      // The core checked that this continues the 1:1 call live here (docs/group-calls.md, "Adding
      // people to a 1:1 call"): it is joined without ringing. If joining fails (a changed safety
      // number to confirm, say), the ring is shown as any other.
      this.accept(view.media).catch(() => {
        if (this.#state.view?.groupId === view.groupId && this.#state.view.state === 'incoming') this.#deps.ringing?.();
      });
    } else if (view.state === 'incoming') this.#deps.ringing?.();
    const session = this.liveSession();
    if (session?.groupId !== view.groupId) return;
    if (view.state === 'ended') void this.#end(session);
    else session.updateMembers(view);
  }

  /** The call is over here before the core's own view says so (declined, left, ended). */
  #endLocally(view: GroupView, reason: 'left' | 'ended'): void {
    if (this.#following?.groupId !== view.groupId || this.#state.view?.state === 'ended') return;
    this.#update({ view: { ...view, state: 'ended', endReason: this.#state.view?.endReason ?? reason }, answering: false });
  }

  #loadKeys(session: S, keys: GroupKeys): void {
    try {
      session.loadKeys(keys);
    } catch (error) {
      this.#update({ error: messageOf(error, 'The group keys could not be used.') });
      this.#leaveCore(session.groupId);
      void this.#end(session);
    }
  }

  async #end(session: S): Promise<void> {
    await session.close();
    this.#deps.closed?.(session);
  }

  #leaveCore(groupId: string): void {
    this.#deps.bridge.invoke('group.leave', { groupId }).catch(() => {
      // Already over in the core.
    });
  }

  #update(patch: Partial<GroupControllerState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#deps.changed(this.#state);
  }
}
