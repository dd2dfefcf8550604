import { serializeIdentityKey } from '../../../shared/crypto/identity';
import type { CallEvent, CallView, ConnectionState, Contact } from '../../../shared/ipc';
import { MAX_MESH_MEMBERS, PROTOCOL_VERSION, isIncomingGroupMessage, type IceServer, type Presence, type ServerMessage } from '../../../shared/protocol';
import { CallManager } from '../calls/call-manager';
import { ServerConnection, type ConnectionStatus } from '../connection/server-connection';
import { ContactBook } from '../contacts/contact-book';
import type { GroupCallEvent } from '../group/group-call-events';
import { GroupCallManager, type GroupCallTuning } from '../group/group-call-manager';
import type { PinDocument } from '../contacts/pin-mac';
import type { DirectoryCopy, DirectoryCopyStore } from '../directory/directory-copy';
import { DirectorySync } from '../directory/directory-sync';
import { PresenceWatch } from '../directory/presence-watch';
import type { OpenIdentity } from './identity-manager';

export interface OnlineSessionEvents {
  connection(state: ConnectionState): void;
  contacts(contacts: Contact[]): void;
  /** The call manager's events, as they are: the IPC event of the same name carries them on. */
  'call.event'(event: CallEvent): void;
  callEnded(view: CallView): void;
  incomingCall(view: CallView): void;
  /** The group-call manager's events, one ordered stream per group (no IPC channel yet). */
  'group.event'?(event: GroupCallEvent): void;
}

export interface OnlineSessionOptions {
  identity: OpenIdentity;
  pins: PinDocument;
  savePins: (pins: PinDocument) => void;
  events: OnlineSessionEvents;
  /** Where the directory copy is kept, and the copy found at start (undefined: none worth trusting). */
  directory?: { store: DirectoryCopyStore; stored: DirectoryCopy | undefined };
  /** The call history's peers, most recent first: their presence is followed. */
  historyPeers?: () => readonly string[];
  /** Whether a call id is already in the call history (a replayed invite for it must not ring). */
  inHistory?: (callId: string) => boolean;
  /** Tests shorten the committer fallback or make commits race. */
  groups?: GroupCallTuning;
  timeouts?: { ringTimeoutMs?: number; connectTimeoutMs?: number; deadAfterMs?: number; backoff?: { baseMs: number; maxMs: number } };
}

/**
 * Everything that exists while this device is enrolled and unlocked: the server link, the contact
 * book and the call manager, wired together.
 */
export class OnlineSession {
  readonly contacts: ContactBook;
  readonly calls: CallManager;
  readonly groups: GroupCallManager;
  private readonly connection: ServerConnection;
  private readonly directory: DirectorySync;
  private readonly presence: PresenceWatch;
  private connectionState: ConnectionState = { state: 'connecting' };
  private turn: { iceServers: IceServer[]; expiresAt: number } | undefined;
  private turnWaiters: ((servers: IceServer[]) => void)[] = [];

  constructor(private readonly options: OnlineSessionOptions) {
    const { identity, events } = options;
    this.contacts = new ContactBook({ id: identity.userId, serializedKey: serializeIdentityKey(identity.keyPair.publicKey) }, options.pins, options.savePins);
    this.directory = new DirectorySync(this.contacts, options.directory?.store, options.directory?.stored);
    this.presence = new PresenceWatch({
      book: this.contacts,
      historyPeers: options.historyPeers ?? (() => []),
      callPeer: () => this.calls.current()?.peerId,
      send: (message) => this.connection.send(message),
    });
    this.calls = new CallManager({
      self: { id: identity.userId, identity: identity.keyPair },
      peer: (userId) => this.contacts.peer(userId),
      acknowledgeKeyChange: (userId, identityKey) => {
        this.contacts.acknowledgeKeyChange(userId, identityKey);
        this.contactsChanged();
      },
      send: (message) => this.connection.send(message),
      emit: (event) => {
        // The peer is followed while the call lasts (a presence change means an event only then).
        if (event.kind === 'view' && this.presence.refresh()) events.contacts(this.contacts.list());
        events['call.event'](event);
        if (event.kind === 'view' && event.view.state === 'incoming') events.incomingCall(event.view);
      },
      onEnded: (view) => {
        events.callEnded(view);
      },
      ...(options.inHistory ? { inHistory: options.inHistory } : {}),
      busyElsewhere: () => this.groups.inCall(),
      ...options.timeouts,
    });
    this.groups = new GroupCallManager({
      self: { userId: identity.userId, identity: identity.keyPair },
      // A changed key is usable only once the user confirmed it (the key-change gate).
      pinnedKey: (userId) => {
        const peer = this.contacts.peer(userId);
        return peer === undefined || peer.keyChanged ? null : peer.identityKey;
      },
      peerKey: (userId) => this.contacts.peer(userId),
      acknowledgeKeyChange: (userId, identityKey) => {
        this.contacts.acknowledgeKeyChange(userId, identityKey);
        this.contactsChanged();
      },
      // A 1:1 call only ringing here is not one the user is in.
      inOtherCall: () => {
        const state = this.calls.current()?.state;
        return state !== undefined && state !== 'incoming' && state !== 'ended';
      },
      upgradableCall: (callId) => this.calls.upgradable(callId),
      callUpgraded: (callId, tellPeer) => {
        this.calls.upgraded(callId, tellPeer);
      },
      send: (message) => this.connection.send(message),
      emit: (event) => events['group.event']?.(event),
      ...(options.groups ? { tuning: options.groups } : {}),
    });
    this.connection = new ServerConnection({
      serverUrl: identity.serverUrl,
      userId: identity.userId,
      identity: identity.keyPair,
      onMessage: (message) => {
        this.receive(message);
      },
      onStatus: (status) => {
        this.statusChanged(status);
      },
      ...(options.timeouts?.backoff ? { backoff: options.timeouts.backoff } : {}),
      ...(options.timeouts?.deadAfterMs ? { deadAfterMs: options.timeouts.deadAfterMs } : {}),
      // A call's media flows peer to peer through an outage; its signalling (and, in a group, the
      // member's place within the server's grace) needs the server back soon.
      urgent: () => this.calls.current()?.state === 'connected' || this.groups.inCall(),
    });
    this.connection.start();
  }

  get connectionStatus(): ConnectionState {
    return this.connectionState;
  }

  /** ICE servers with fresh TURN credentials; asks the server when the cached ones are near expiry. */
  async iceServers(): Promise<IceServer[]> {
    if (this.turn && this.turn.expiresAt - Date.now() > 60_000) return this.turn.iceServers;
    const answer = new Promise<IceServer[]>((resolve) => {
      this.turnWaiters.push(resolve);
    });
    if (!this.connection.send({ v: PROTOCOL_VERSION, type: 'turn.request' })) return this.turn?.iceServers ?? [];
    const timeout = new Promise<IceServer[]>((resolve) => setTimeout(() => { resolve(this.turn?.iceServers ?? []); }, 5_000).unref());
    return Promise.race([answer, timeout]);
  }

  reconnectNow(): void {
    this.connection.reconnectNow();
  }

  /** The contacts the screen shows now (and the one open): their presence is followed. */
  watchContacts(userIds: readonly string[]): void {
    if (this.presence.watch(userIds)) this.options.events.contacts(this.contacts.list());
  }

  /** Something the followed set depends on changed (call history, verified marks). */
  contactsChanged(): void {
    this.groups.pinsChanged();
    this.presence.refresh();
    this.options.events.contacts(this.contacts.list());
  }

  /** Closes the link; the returned promise settles once the directory copy is written. */
  close(): Promise<void> {
    this.groups.close();
    this.connection.close();
    return this.directory.flush();
  }

  private statusChanged(status: ConnectionStatus): void {
    const state: ConnectionState =
      status.state === 'refused'
        ? { state: 'refused', reason: status.reason, code: refusalKind(status.code) }
        : status.state === 'offline'
          ? { state: 'offline', ...(status.retryInMs === undefined ? {} : { retryInMs: status.retryInMs }) }
          : status.state === 'online'
            ? { state: 'online', groupCallMax: status.welcome.groupCallMax ?? MAX_MESH_MEMBERS }
            : { state: status.state };
    this.connectionState = state;
    if (status.state !== 'online') {
      this.presence.disconnected();
      this.groups.disconnected();
    }
    if (status.state !== 'online' && status.state !== 'connecting') {
      this.calls.serverLost();
      this.contacts.markAllOffline();
      this.options.events.contacts(this.contacts.list());
    }
    if (status.state === 'online') {
      this.connection.send(this.directory.request());
      this.presence.connected();
      this.calls.resumeAfterReconnect();
      // Every login publishes a fresh batch of KeyPackages: their private halves live only in memory.
      this.groups.connected().catch((error: unknown) => {
        console.error('sealcall: the KeyPackages could not be published', error);
      });
    }
    this.options.events.connection(state);
  }

  private receive(message: ServerMessage): void {
    const { events } = this.options;
    switch (message.type) {
      case 'directory.delta':
        if (!this.directory.delta(message)) {
          this.connection.send(this.directory.request());
          return;
        }
        // New colleagues may be in the history or verified: follow them too.
        this.contactsChanged();
        return;
      case 'directory.user':
        this.directory.user(message);
        this.contactsChanged();
        return;
      case 'directory.removed':
        this.directory.removed(message);
        this.contactsChanged();
        return;
      case 'presence.snapshot': {
        let changed = false;
        for (const user of message.users) changed = this.setPresence(user.id, user.presence) || changed;
        if (changed) events.contacts(this.contacts.list());
        return;
      }
      case 'presence':
        if (this.setPresence(message.userId, message.presence)) events.contacts(this.contacts.list());
        return;
      case 'turn.credentials': {
        this.turn = { iceServers: message.iceServers, expiresAt: message.expiresAt };
        const waiters = this.turnWaiters;
        this.turnWaiters = [];
        for (const waiter of waiters) waiter(message.iceServers);
        return;
      }
      case 'error':
        if (message.callId !== undefined) this.calls.refused(message.callId);
        if (message.groupId !== undefined) this.groups.refused(message);
        return;
      case 'hello':
      case 'welcome':
        return;
      // Only an app that asked for a seat gets one (docs/protocol.md, "Meetings over the SFU").
      case 'sfu.seat':
        this.groups.seat(message);
        return;
      default:
        if (isIncomingGroupMessage(message)) {
          this.groups.receive(message);
          return;
        }
        void this.calls.receive(message);
    }
  }

  /** Only for a contact still followed: news that crossed an unsubscribe would stay shown for good. */
  private setPresence(userId: string, presence: Presence): boolean {
    return this.presence.follows(userId) && this.contacts.setPresence(userId, presence);
  }
}

/** The screen words a version mismatch (update the app) apart from a refusal of this computer. */
function refusalKind(code: string): NonNullable<ConnectionState['code']> {
  if (code === 'unsupported-version' || code === 'server-url-mismatch') return code;
  return 'access';
}
