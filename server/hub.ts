import { MAX_GROUP_MEMBERS, MAX_MESH_MEMBERS, PROTOCOL_VERSION, type ClientMessage, type OutgoingGroupMessage, type Presence, type ProtocolErrorCode, type ServerMessage } from '../shared/protocol';
import type { AuthenticatedUser } from './auth/authenticate';
import type { TurnConfig } from './config/server-config';
import type { ClusterNode, LocalSessions } from './cluster/cluster-node';
import { Directory, type DirectoryEvent, type DirectorySnapshot } from './directory/directory';
import { GroupDesk, groupError, isGroupMessage } from './groups/group-desk';
import { errorOrigin } from './log/error-origin';
import type { Logger } from './log/logger';
import type { ServerMetrics } from './metrics/server-metrics';
import { PresenceBoard } from './presence/presence-board';
import { CallRelay } from './relay/call-relay';
import type { Relay, RelayRefusal } from './relay/relay';
import { SfuDesk } from './sfu/sfu-desk';
import { DEFAULT_MESH_MAX, type SfuConfig } from './sfu/sfu-rooms';
import type { Store } from './store/store';
import { turnCredentials } from './turn/credentials';
import { textFrame } from './ws/frame';
import { CLOSE, type Session } from './ws/session';

export interface HubOptions {
  store: Store;
  /** The store's directory changes after a version (0: all), as one snapshot. */
  readDirectory: (after: number) => DirectorySnapshot | Promise<DirectorySnapshot>;
  logger: Logger;
  metrics: ServerMetrics | undefined;
  turn: TurnConfig | undefined;
  /** Meetings over a Janus SFU (docs/deployment.md, "Janus for meetings"). */
  sfu?: SfuConfig;
  inviteTimeoutMs: number;
  callGraceMs?: number;
  maxConnections: number;
  /** How often batched presence updates go out. */
  presenceFlushMs: number;
  /** Cluster mode (`start --redis`): sessions, calls and presence are shared through Redis. */
  cluster?: ClusterNode;
}

/** As a 1:1 call's (--call-grace): a member whose socket dropped stays this long. */
const DEFAULT_GROUP_GRACE_MS = 20_000;

export type Admission = { ok: true } | { ok: false; code: ProtocolErrorCode; message: string };

/**
 * The authenticated side of the server: who is connected, the versioned directory, presence and
 * the call relay. One session per user: a newer connection replaces an older one, which is how a
 * laptop that changed networks gets its calls back at once instead of after a heartbeat.
 */
export class Hub implements LocalSessions {
  readonly directory = new Directory();
  readonly presence: PresenceBoard;
  readonly relay: Relay;
  /** Group calls (docs/protocol.md, "Group calls"): in memory on one instance, in Redis across several. */
  readonly groups: GroupDesk;
  /** Seats in the group calls' SFU rooms; undefined without Janus, or across several instances (not yet). */
  readonly sfu: SfuDesk | undefined;
  private readonly sessions = new Map<string, Session>();
  /** Cluster mode: the registry token of each local session. */
  private readonly tokens = new Map<string, string>();
  private readonly cluster: ClusterNode | undefined;
  private readonly seen = new Map<string, number>();
  private pending: Buffer[] = [];
  /** Refreshes run one after another, each from the version the previous one reached. */
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly options: HubOptions) {
    this.presence = new PresenceBoard({ flushMs: options.presenceFlushMs, isListed: (userId) => this.directory.has(userId) });
    this.cluster = options.cluster;
    this.relay = this.cluster?.relay ?? new CallRelay(
      {
        deliver: (userId, message) => this.deliver(userId, message),
        isOnline: (userId) => this.sessions.has(userId),
        isKnown: (userId) => this.directory.has(userId),
        busyChanged: (userId) => { this.updatePresence(userId); },
      },
      options.inviteTimeoutMs,
      options.callGraceMs,
    );
    this.groups = new GroupDesk(
      options.store.keyPackages,
      {
        deliver: (userId, message) => this.deliver(userId, message),
        isKnown: (userId) => this.directory.has(userId),
        busyChanged: (userId) => { this.updatePresence(userId); },
        storeFailed: (error) => { this.options.logger.error('could not keep a group call in the store', errorOrigin(error)); },
        membershipChanged: (groupId, left, members) => { this.sfu?.membershipChanged(groupId, left, members); },
      },
      options.callGraceMs ?? DEFAULT_GROUP_GRACE_MS,
      options.store.groupCalls,
      this.cluster?.groups,
      options.sfu !== undefined && this.cluster === undefined ? { meshMax: options.sfu.meshMax ?? DEFAULT_MESH_MAX } : undefined,
    );
    this.sfu = options.sfu !== undefined && this.cluster === undefined
      ? new SfuDesk(
        options.sfu,
        { isPresent: (groupId, userId) => this.groups.local?.isPresent(groupId, userId) === true, send: (userId, message) => { this.deliver(userId, message); } },
        options.logger,
      )
      : undefined;
    this.cluster?.attach(this);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  presenceOf(userId: string): Presence {
    return this.presence.presenceOf(userId);
  }

  /**
   * Brings the in-memory directory up to the store's version and tells every online session what
   * changed, with the version that made each change. Reads only the changes since the copy's
   * version. Called at start, after an enrolment, and when a revocation is noticed.
   */
  refreshDirectory(): Promise<void> {
    const run = this.refreshing.then(() => this.readDirectoryChanges());
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async readDirectoryChanges(): Promise<void> {
    let snapshot = await this.options.readDirectory(this.directory.version);
    // Another epoch (the store was replaced): the changes since our version mean nothing there.
    if (snapshot.epoch !== this.directory.epoch && this.directory.epoch !== '') snapshot = await this.options.readDirectory(0);
    for (const event of this.directory.apply(snapshot)) this.announce(event);
    // In a cluster, a user's presence may have come from another instance before this one listed
    // them (the board ignores unlisted users): take it from the cluster's mirror now.
    if (this.cluster) for (const record of snapshot.records) this.updatePresence(record.id);
  }

  /**
   * An enrolment on this socket changed the store: list the new key at once, before anyone calls,
   * without moving the copy's version (a change made elsewhere may sit below this one, unread),
   * then catch up with the store.
   */
  private enrolled(user: AuthenticatedUser): void {
    if (user.directoryVersion === undefined) return;
    const record = { id: user.userId, displayName: user.displayName, identityKey: user.identityKey, version: user.directoryVersion };
    for (const event of this.directory.apply({ epoch: this.directory.epoch, version: this.directory.version, records: [record] })) this.announce(event);
    this.cluster?.directoryChanged();
    this.refreshDirectory().catch((error: unknown) => {
      this.options.logger.warn('could not read directory changes after an enrolment', errorOrigin(error));
    });
  }

  /** A socket proved who it is: make it the user's session. The client then syncs what it needs. */
  admit(session: Session, user: AuthenticatedUser): Admission {
    const { userId } = user;
    if (user.enrolled) this.enrolled(user);
    if (!this.directory.has(userId)) {
      // Revoked while its signature was being checked.
      return { ok: false, code: 'revoked', message: `'${userId}' has been revoked by an administrator` };
    }
    const previous = this.sessions.get(userId);
    if (!previous && this.sessions.size >= this.options.maxConnections) {
      return { ok: false, code: 'server-busy', message: 'the server is at its connection limit; try again later' };
    }
    if (previous) {
      this.sessions.delete(userId);
      this.presence.drop(previous);
      // In a cluster, the registry's claim below ends the old session's call state atomically.
      if (!this.cluster) {
        void this.relay.userGone(userId, 'peer-disconnected');
        this.groups.userGone(userId, 'peer-disconnected');
      }
      previous.end(
        'session-replaced',
        user.enrolled ? 'a new device enrolled for this user; this one is no longer valid' : 'you connected again from another socket',
        CLOSE.policy,
      );
    }
    this.sessions.set(userId, session);
    if (this.cluster) {
      const token = this.cluster.newToken();
      this.tokens.set(userId, token);
      void this.cluster.sessionStarted(userId, token, user.enrolled);
      // Wherever the user's previous session was (replaced, or on an instance that died unnoticed),
      // a member is away from now until this session speaks: what the group says meanwhile is kept.
      this.groups.userGone(userId, 'peer-disconnected', token);
    }
    this.seen.set(userId, Date.now());
    session.send({ v: PROTOCOL_VERSION, type: 'welcome', userId, displayName: user.displayName, groupCallMax: this.sfu === undefined ? MAX_MESH_MEMBERS : MAX_GROUP_MEMBERS });
    if (this.options.turn) session.send(this.turnMessage(userId, this.options.turn));
    this.updatePresence(userId);
    return { ok: true };
  }

  /** The session's socket closed, for whatever reason. */
  leave(session: Session): void {
    const { userId } = session;
    if (this.sessions.get(userId) !== session) return;
    this.sessions.delete(userId);
    this.presence.drop(session);
    this.seen.set(userId, Date.now());
    const token = this.tokens.get(userId);
    this.tokens.delete(userId);
    if (this.cluster && token !== undefined) void this.cluster.sessionEnded(userId, token, 'peer-disconnected');
    else void this.relay.userGone(userId, 'peer-disconnected');
    this.groups.userGone(userId, 'peer-disconnected', token);
    this.updatePresence(userId);
  }

  /** Handles an authenticated client's message; `receivedAt` is performance.now() on arrival. */
  handle(session: Session, message: ClientMessage, receivedAt: number): void {
    if (isGroupMessage(message)) {
      this.handleGroup(session, message);
      return;
    }
    switch (message.type) {
      case 'directory.sync': {
        const answer = this.directory.answer(message.since);
        this.options.metrics?.directorySyncs.inc({ kind: answer.full ? 'full' : 'delta' });
        session.sendSerialized(answer.text);
        return;
      }
      case 'presence.subscribe': {
        const outcome = this.presence.subscribe(session, message.add, message.remove);
        if (outcome.ok) {
          session.send({ v: PROTOCOL_VERSION, type: 'presence.snapshot', users: outcome.snapshot });
        } else {
          this.options.metrics?.rejects.inc({ reason: 'bad-message' });
          session.send({ v: PROTOCOL_VERSION, type: 'error', code: 'bad-message', message: outcome.message, ...(message.id === undefined ? {} : { ref: message.id }) });
        }
        return;
      }
      case 'turn.request':
        session.send(
          this.options.turn ? this.turnMessage(session.userId, this.options.turn) : { v: PROTOCOL_VERSION, type: 'turn.credentials', iceServers: [], expiresAt: Date.now() },
        );
        return;
      case 'sfu.join':
        if (this.sfu) this.sfu.join(session.userId, message);
        else {
          const reason = this.cluster ? 'meetings over the SFU need a single server instance for now' : 'this server has no SFU for meetings (start --janus-url)';
          session.send({ v: PROTOCOL_VERSION, type: 'error', code: 'unsupported', message: reason, groupId: message.groupId, ...(message.id === undefined ? {} : { ref: message.id }) });
        }
        return;
      case 'auth':
      case 'enroll':
        session.send({ v: PROTOCOL_VERSION, type: 'error', code: 'nonce-reused', message: 'this connection has already answered its challenge', ref: message.id });
        return;
      default: {
        const answer = this.relay.handle(session.userId, message);
        if (!(answer instanceof Promise)) {
          this.relayAnswered(session, message, answer, receivedAt);
          return;
        }
        answer.then(
          (refusal) => { this.relayAnswered(session, message, refusal, receivedAt); },
          (error: unknown) => {
            // Redis unreachable or a script failed: this message is lost, not the socket.
            this.options.logger.error('the call relay failed', errorOrigin(error));
            session.send({ v: PROTOCOL_VERSION, type: 'error', code: 'internal', message: 'the server could not relay this message; try again', ref: message.id, callId: message.callId });
          },
        );
      }
    }
  }

  private handleGroup(session: Session, message: OutgoingGroupMessage): void {
    const groups = this.groups;
    const refused = (refusal: { code: ProtocolErrorCode; message: string; epoch?: number } | undefined) => {
      if (!refusal) return;
      this.options.metrics?.rejects.inc({ reason: refusal.code });
      session.send(groupError(message, refusal));
    };
    const answer = groups.handle(session.userId, message);
    if (!(answer instanceof Promise)) {
      refused(answer);
      return;
    }
    answer.then(refused, (error: unknown) => {
      // The store failed: this request is lost, not the socket.
      this.options.logger.error('a group-call request failed', errorOrigin(error));
      refused({ code: 'internal', message: 'the server could not handle this request; try again' });
    });
  }

  private relayAnswered(session: Session, message: Extract<ClientMessage, { callId: string }>, refusal: RelayRefusal | undefined, receivedAt: number): void {
    if (refusal) {
      this.options.metrics?.rejects.inc({ reason: refusal.code });
      session.send({ v: PROTOCOL_VERSION, type: 'error', code: refusal.code, message: refusal.message, ref: message.id, callId: message.callId });
    } else {
      this.options.metrics?.relayLatency.observe((performance.now() - receivedAt) / 1000);
    }
  }

  /** A revocation reached the server (from the CLI): tell everyone, and cut the user off now. */
  async revoke(userId: string): Promise<void> {
    await this.refreshDirectory();
    const hadSession = this.sessions.has(userId);
    if (!this.directory.has(userId)) this.cutOff(userId);
    this.options.logger.info('user revoked', { userId, hadSession });
  }

  /**
   * Writes the logins and logouts gathered since the previous flush, in one transaction; at
   * shutdown, everyone still connected too.
   */
  flushLastSeen(everyoneConnected = false): void {
    if (everyoneConnected) {
      const now = Date.now();
      for (const userId of this.sessions.keys()) this.seen.set(userId, now);
    }
    if (this.seen.size === 0) return;
    const batch = new Map(this.seen);
    this.seen.clear();
    // A failed batch goes back for the next flush, unless a newer time came in meanwhile.
    this.options.store.recordLastSeen(batch).catch((error: unknown) => {
      this.options.logger.warn('could not record last-seen times', { error: String(error) });
      for (const [userId, at] of batch) if (!this.seen.has(userId)) this.seen.set(userId, at);
    });
  }

  /** Tells everyone the server is going away. */
  shutdown(): void {
    for (const session of this.sessions.values()) {
      session.end('shutting-down', 'the server is shutting down; reconnect in a moment', CLOSE.goingAway);
    }
    this.flushLastSeen(true);
    this.presence.stop();
    this.sessions.clear();
    this.relay.stop();
    this.groups.stop();
    this.sfu?.stop();
  }

  /** Cluster: a message for this instance's session of a user. */
  deliverLocal(userId: string, message: ServerMessage): void {
    this.sessions.get(userId)?.send(message);
  }

  /** Cluster: a message for this instance's session of a user, serialised by a server instance. */
  deliverLocalText(userId: string, text: string): void {
    this.sessions.get(userId)?.sendSerialized(text);
  }

  /** Cluster: a newer session of this user started on another instance. */
  endReplaced(userId: string, token: string, enrolled: boolean): void {
    const session = this.sessions.get(userId);
    if (!session || this.tokens.get(userId) !== token) return;
    // The claim that replaced it already ended its call state; leave() must not release the registry.
    this.sessions.delete(userId);
    this.tokens.delete(userId);
    this.presence.drop(session);
    session.end(
      'session-replaced',
      enrolled ? 'a new device enrolled for this user; this one is no longer valid' : 'you connected again from another socket',
      CLOSE.policy,
    );
  }

  /** Cluster: someone's presence changed somewhere in the cluster. */
  presenceChanged(userId: string): void {
    this.updatePresence(userId);
  }

  /** Cluster: another instance changed the directory (an enrolment or a re-key): read the changes. */
  directoryMoved(): void {
    this.refreshDirectory().catch((error: unknown) => {
      this.options.logger.warn('could not read directory changes made on another instance', errorOrigin(error));
    });
  }

  isKnown(userId: string): boolean {
    return this.directory.has(userId);
  }

  /** Cluster: the registry token of this instance's session of a user. */
  tokenOf(userId: string): string | undefined {
    return this.tokens.get(userId);
  }

  /** Cluster: this instance was reaped while running; every client reconnects and registers anew. */
  dropAll(): void {
    for (const [userId, session] of [...this.sessions]) {
      this.sessions.delete(userId);
      this.tokens.delete(userId);
      this.presence.drop(session);
      session.end('shutting-down', 'this server lost its place in the cluster; reconnect in a moment', CLOSE.goingAway);
    }
  }

  private deliver(userId: string, message: ServerMessage): boolean {
    const session = this.sessions.get(userId);
    if (!session) return false;
    session.send(message);
    return true;
  }

  /** Removed from the directory (revoked): calls end, the session closes, nobody follows them. */
  private cutOff(userId: string): void {
    void this.relay.userGone(userId, 'peer-revoked');
    this.groups.userGone(userId, 'peer-revoked');
    const session = this.sessions.get(userId);
    if (session) {
      this.sessions.delete(userId);
      const token = this.tokens.get(userId);
      this.tokens.delete(userId);
      if (this.cluster && token !== undefined) void this.cluster.sessionEnded(userId, token, 'peer-revoked');
      this.presence.drop(session);
      session.end('revoked', 'your access has been revoked by an administrator', CLOSE.policy);
    }
    this.presence.forget(userId);
  }

  private announce(event: DirectoryEvent): void {
    if (event.type === 'directory.removed') this.cutOff(event.userId);
    this.broadcast({ v: PROTOCOL_VERSION, ...event });
  }

  private updatePresence(userId: string): void {
    if (!this.directory.has(userId)) return;
    // In a cluster, presence is the mirror's, fed by every instance in the order changes happened.
    if (this.cluster) {
      this.presence.set(userId, this.cluster.presenceOf(userId));
      return;
    }
    const busy = this.relay.isBusy(userId) || this.groups.local?.isInGroup(userId) === true;
    this.presence.set(userId, !this.sessions.has(userId) ? 'offline' : busy ? 'busy' : 'online');
  }

  /**
   * Queues a directory change for every session. Changes are rare but every client needs them
   * (a key change must reach whoever might call that user). The queue is flushed after the current
   * batch of I/O: each message is serialized and framed once (server frames are unmasked, so the
   * bytes are the same for everyone), and each socket gets the whole batch in one write. Order is
   * kept.
   */
  private broadcast(message: ServerMessage): void {
    this.pending.push(textFrame(Buffer.from(JSON.stringify(message))));
    if (this.pending.length === 1) setImmediate(() => { this.flushBroadcasts(); });
  }

  private flushBroadcasts(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    for (const session of this.sessions.values()) session.sendFrames(batch);
  }

  private turnMessage(userId: string, turn: TurnConfig): ServerMessage {
    return { v: PROTOCOL_VERSION, type: 'turn.credentials', ...turnCredentials(turn, userId) };
  }
}
