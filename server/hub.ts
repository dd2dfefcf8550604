import type { Database } from 'better-sqlite3';
import { fromBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION, type ClientMessage, type Presence, type ProtocolErrorCode, type ServerMessage } from '../shared/protocol';
import type { AuthenticatedUser } from './auth/authenticate';
import type { TurnConfig } from './config/server-config';
import { recordLastSeen } from './db/users';
import type { ClusterNode, LocalSessions } from './cluster/cluster-node';
import { Directory, type DirectoryUser } from './directory/directory';
import type { Logger } from './log/logger';
import type { ServerMetrics } from './metrics/server-metrics';
import { CallRelay } from './relay/call-relay';
import type { Relay, RelayRefusal } from './relay/relay';
import { turnCredentials } from './turn/credentials';
import { textFrame } from './ws/frame';
import { CLOSE, type Session } from './ws/session';

export interface HubOptions {
  db: Database;
  logger: Logger;
  metrics: ServerMetrics | undefined;
  turn: TurnConfig | undefined;
  inviteTimeoutMs: number;
  callGraceMs?: number;
  maxConnections: number;
  /** How often batched presence updates go out. */
  presenceFlushMs: number;
  /** Cluster mode (`start --redis`): sessions, calls and presence are shared through Redis. */
  cluster?: ClusterNode;
}

export type Admission = { ok: true } | { ok: false; code: ProtocolErrorCode; message: string };

/**
 * The authenticated side of the server: who is connected, what everyone's presence is, and the
 * call relay. One session per user: a newer connection replaces an older one, which is how a
 * laptop that changed networks gets its calls back at once instead of after a heartbeat.
 */
export class Hub implements LocalSessions {
  readonly directory = new Directory();
  readonly relay: Relay;
  private readonly sessions = new Map<string, Session>();
  /** Cluster mode: the registry token of each local session. */
  private readonly tokens = new Map<string, string>();
  private readonly cluster: ClusterNode | undefined;
  private readonly lastPresence = new Map<string, Presence>();
  private readonly seen = new Map<string, number>();
  private pending: { frame: Buffer; except: string | undefined }[] = [];
  /** Users whose presence may have changed since the last presence flush. */
  private readonly presenceDirty = new Set<string>();
  private presenceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HubOptions) {
    this.cluster = options.cluster;
    this.relay = this.cluster?.relay ?? new CallRelay(
      {
        deliver: (userId, message) => this.deliver(userId, message),
        isOnline: (userId) => this.sessions.has(userId),
        isKnown: (userId) => this.directory.has(userId),
        busyChanged: (userId) => { this.presenceChanged(userId); },
      },
      options.inviteTimeoutMs,
      options.callGraceMs,
    );
    this.cluster?.attach(this);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  presenceOf(userId: string): Presence {
    if (this.cluster) return this.cluster.presenceOf(userId);
    if (!this.sessions.has(userId)) return 'offline';
    return this.relay.isBusy(userId) ? 'busy' : 'online';
  }

  /** A socket proved who it is: make it the user's session and bring it up to date. */
  admit(session: Session, user: AuthenticatedUser): Admission {
    const { userId } = user;
    if (!user.enrolled && !this.directory.has(userId)) {
      // Revoked while its signature was being checked.
      return { ok: false, code: 'revoked', message: `'${userId}' has been revoked by an administrator` };
    }
    const previous = this.sessions.get(userId);
    if (!previous && this.sessions.size >= this.options.maxConnections) {
      return { ok: false, code: 'server-busy', message: 'the server is at its connection limit; try again later' };
    }
    if (previous) {
      this.sessions.delete(userId);
      // In a cluster, the registry's claim below ends the old session's call state atomically.
      if (!this.cluster) void this.relay.userGone(userId, 'peer-disconnected');
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
    }
    this.seen.set(userId, Date.now());
    session.send({ v: PROTOCOL_VERSION, type: 'welcome', userId, displayName: user.displayName });
    session.sendSerialized(this.directory.serialized(userId, (id) => this.presenceOf(id)));
    if (this.options.turn) session.send(this.turnMessage(userId, this.options.turn));
    if (user.enrolled) {
      const entry = this.directory.upsert(userId, user.displayName, user.identityKey);
      this.lastPresence.set(userId, 'online');
      this.broadcast({ v: PROTOCOL_VERSION, type: 'directory.user', user: { ...entry, presence: 'online' } }, userId);
      this.cluster?.directoryChanged(entry);
    } else {
      this.presenceChanged(userId);
    }
    return { ok: true };
  }

  /** The session's socket closed, for whatever reason. */
  leave(session: Session): void {
    const { userId } = session;
    if (this.sessions.get(userId) !== session) return;
    this.sessions.delete(userId);
    this.seen.set(userId, Date.now());
    const token = this.tokens.get(userId);
    this.tokens.delete(userId);
    if (this.cluster && token !== undefined) void this.cluster.sessionEnded(userId, token, 'peer-disconnected');
    else void this.relay.userGone(userId, 'peer-disconnected');
    if (this.directory.has(userId)) this.presenceChanged(userId);
  }

  /** Handles an authenticated client's message; `receivedAt` is performance.now() on arrival. */
  handle(session: Session, message: ClientMessage, receivedAt: number): void {
    switch (message.type) {
      case 'directory.request':
        session.sendSerialized(this.directory.serialized(session.userId, (id) => this.presenceOf(id)));
        return;
      case 'turn.request':
        session.send(
          this.options.turn ? this.turnMessage(session.userId, this.options.turn) : { v: PROTOCOL_VERSION, type: 'turn.credentials', iceServers: [], expiresAt: Date.now() },
        );
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
            this.options.logger.error('the call relay failed', { error: error instanceof Error ? error.message : String(error) });
            session.send({ v: PROTOCOL_VERSION, type: 'error', code: 'internal', message: 'the server could not relay this message; try again', ref: message.id, callId: message.callId });
          },
        );
      }
    }
  }

  private relayAnswered(session: Session, message: Extract<ClientMessage, { callId: string }>, refusal: RelayRefusal | undefined, receivedAt: number): void {
    if (refusal) {
      this.options.metrics?.rejects.inc({ reason: refusal.code });
      session.send({ v: PROTOCOL_VERSION, type: 'error', code: refusal.code, message: refusal.message, ref: message.id, callId: message.callId });
    } else {
      this.options.metrics?.relayLatency.observe((performance.now() - receivedAt) / 1000);
    }
  }

  /** A revocation reached the server (from the CLI): cut the user off now and tell everyone. */
  revoke(userId: string): void {
    const known = this.directory.remove(userId);
    void this.relay.userGone(userId, 'peer-revoked');
    const session = this.sessions.get(userId);
    if (session) {
      this.sessions.delete(userId);
      const token = this.tokens.get(userId);
      this.tokens.delete(userId);
      if (this.cluster && token !== undefined) void this.cluster.sessionEnded(userId, token, 'peer-revoked');
      session.end('revoked', 'your access has been revoked by an administrator', CLOSE.policy);
    }
    this.lastPresence.delete(userId);
    this.presenceDirty.delete(userId);
    if (known) this.broadcast({ v: PROTOCOL_VERSION, type: 'directory.removed', userId });
    this.options.logger.info('user revoked', { userId, hadSession: session !== undefined });
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
    try {
      recordLastSeen(this.options.db, this.seen);
      this.seen.clear();
    } catch (error) {
      this.options.logger.warn('could not record last-seen times', { error: String(error) });
    }
  }

  /** Tells everyone the server is going away. */
  shutdown(): void {
    for (const session of this.sessions.values()) {
      session.end('shutting-down', 'the server is shutting down; reconnect in a moment', CLOSE.goingAway);
    }
    this.flushLastSeen(true);
    clearTimeout(this.presenceTimer);
    this.sessions.clear();
    this.relay.stop();
  }

  /** Cluster: a message for this instance's session of a user. */
  deliverLocal(userId: string, message: ServerMessage): void {
    this.sessions.get(userId)?.send(message);
  }

  /** Cluster: a newer session of this user started on another instance. */
  endReplaced(userId: string, token: string, enrolled: boolean): void {
    const session = this.sessions.get(userId);
    if (!session || this.tokens.get(userId) !== token) return;
    // The claim that replaced it already ended its call state; leave() must not release the registry.
    this.sessions.delete(userId);
    this.tokens.delete(userId);
    session.end(
      'session-replaced',
      enrolled ? 'a new device enrolled for this user; this one is no longer valid' : 'you connected again from another socket',
      CLOSE.policy,
    );
  }

  /** Cluster: someone enrolled or re-keyed on another instance. */
  directoryArrived(entry: DirectoryUser): void {
    this.directory.upsert(entry.id, entry.displayName, fromBase64Url(entry.identityKey));
    this.lastPresence.set(entry.id, this.presenceOf(entry.id));
    this.broadcast({ v: PROTOCOL_VERSION, type: 'directory.user', user: { ...entry, presence: this.presenceOf(entry.id) } }, entry.id);
  }

  isKnown(userId: string): boolean {
    return this.directory.has(userId);
  }

  /** Cluster: this instance was reaped while running; every client reconnects and registers anew. */
  dropAll(): void {
    for (const [userId, session] of [...this.sessions]) {
      this.sessions.delete(userId);
      this.tokens.delete(userId);
      session.end('shutting-down', 'this server lost its place in the cluster; reconnect in a moment', CLOSE.goingAway);
    }
  }

  private deliver(userId: string, message: ServerMessage): boolean {
    const session = this.sessions.get(userId);
    if (!session) return false;
    session.send(message);
    return true;
  }

  /**
   * Presence goes out in batches, at most every `presenceFlushMs`, with each user's latest state
   * only. Everyone hears about everyone, so an unbatched update costs a send per connected user:
   * at a few call set-ups a second across a company, or a restart bringing thousands back at
   * once, that fan-out would swamp the relay. Presence is a hint to people; a quarter-second lag
   * is not visible, and a call shorter than that need not show as busy.
   */
  presenceChanged(userId: string): void {
    this.presenceDirty.add(userId);
    this.presenceTimer ??= setTimeout(() => {
      this.flushPresence();
    }, this.options.presenceFlushMs);
  }

  private flushPresence(): void {
    this.presenceTimer = undefined;
    for (const userId of this.presenceDirty) {
      if (!this.directory.has(userId)) continue;
      const presence = this.presenceOf(userId);
      if (this.lastPresence.get(userId) === presence) continue;
      this.lastPresence.set(userId, presence);
      this.broadcast({ v: PROTOCOL_VERSION, type: 'presence', userId, presence }, userId);
    }
    this.presenceDirty.clear();
    this.flushBroadcasts();
  }

  /**
   * Queues a message for every session but `except`'s. The queue is flushed after the current
   * batch of I/O: each message is serialized and framed once (server frames are unmasked, so the
   * bytes are the same for everyone), and each socket gets the whole batch in one write. When
   * many users come online at once, the write calls, not the JSON, are what a fan-out costs.
   * Order is kept, and a session that joins in between has a directory at least as new as
   * anything queued.
   */
  private broadcast(message: ServerMessage, except?: string): void {
    this.pending.push({ frame: textFrame(Buffer.from(JSON.stringify(message))), except });
    if (this.pending.length === 1) setImmediate(() => { this.flushBroadcasts(); });
  }

  private flushBroadcasts(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const everything = batch.map(({ frame }) => frame);
    // Only the few users a batch is about need a batch without their own entries.
    const subjects = new Set(batch.flatMap(({ except }) => (except === undefined ? [] : [except])));
    for (const session of this.sessions.values()) {
      session.sendFrames(subjects.has(session.userId) ? batch.filter(({ except }) => except !== session.userId).map(({ frame }) => frame) : everything);
    }
  }


  private turnMessage(userId: string, turn: TurnConfig): ServerMessage {
    return { v: PROTOCOL_VERSION, type: 'turn.credentials', ...turnCredentials(turn, userId) };
  }
}
