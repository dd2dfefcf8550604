import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { toBase64Url } from '../../shared/crypto/bytes';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  parseClientMessage,
  type Auth,
  type ClientMessage,
  type Enroll,
  type ProtocolErrorCode,
  type ServerMessage,
} from '../../shared/protocol';
import { authenticate, enroll, type AuthOutcome } from '../auth/authenticate';
import { newChallengeNonce } from '../auth/challenge';
import type { Limits } from '../config/server-config';
import type { Hub } from '../hub';
import type { AddressGuard } from '../limits/address-guard';
import { TokenBucket } from '../limits/rate-limit';
import { errorOrigin } from '../log/error-origin';
import type { LogBudget } from '../log/log-budget';
import type { Logger } from '../log/logger';
import type { RejectReason, ServerMetrics } from '../metrics/server-metrics';
import type { Store } from '../store/store';
import { SERVER_VERSION } from '../version';
import { CLOSE, type Session } from './session';

/** What every connection shares: one object, so a connection costs a few fields, not closures. */
export interface ConnectionContext {
  store: Store;
  hub: Hub;
  limits: Limits;
  logger: Logger;
  metrics: ServerMetrics;
  serverUrl: string;
  counts: { unauthenticated: number };
  connections: Set<Connection>;
  /** Per-address limits before authentication: waiting sockets, connection rate, enrollment failures. */
  addresses: AddressGuard;
  /** Refused authentications are logged through this, so a flood of guesses cannot flood the log. */
  refusals: LogBudget;
}

type State = 'challenged' | 'authenticating' | 'authenticated' | 'closed';

/** How long a closing socket gets to finish the close handshake before it is cut. */
const CLOSE_GRACE_MS = 1000;

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function asText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/** The request id and call id of a message that failed to parse, if they look sane, to echo back. */
function refsOf(value: unknown): { ref?: string; callId?: string } {
  if (typeof value !== 'object' || value === null) return {};
  const { id, callId } = value as { id?: unknown; callId?: unknown };
  return {
    ...(typeof id === 'string' && id.length > 0 && id.length <= 64 ? { ref: id } : {}),
    ...(typeof callId === 'string' && /^[A-Za-z0-9_-]{22,64}$/.test(callId) ? { callId } : {}),
  };
}

/**
 * One WebSocket, from the challenge to the close. Before authentication every message but `auth`
 * or `enroll` is refused and the socket closed; after it, messages go to the hub.
 */
export class Connection implements Session {
  private state: State = 'challenged';
  private readonly nonce = newChallengeNonce();
  private readonly bucket: TokenBucket;
  private readonly directoryBucket: TokenBucket;
  private authTimer: NodeJS.Timeout | undefined;
  private lastRateWarning = Number.NEGATIVE_INFINITY;
  /** Cleared by each heartbeat, set by each pong or message. */
  alive = true;
  userId = '';

  constructor(
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`: broadcasts, framed once for everyone, are written to it directly. */
    private readonly socket: Duplex,
    private readonly ctx: ConnectionContext,
    /** The client's address key (see limits/client-address.ts), already admitted by the guard. */
    private readonly address: string,
    /** What is left of the socket's time to authenticate, counted from its TCP accept. */
    authDeadlineMs: number,
  ) {
    this.bucket = new TokenBucket(ctx.limits.ratePerSecond, ctx.limits.rateBurst);
    this.directoryBucket = new TokenBucket(1000 / ctx.limits.fullDirectoryIntervalMs, ctx.limits.fullDirectoryBurst);
    ctx.counts.unauthenticated += 1;
    ctx.connections.add(this);
    ws.on('message', (data, isBinary) => { this.onMessageGuarded(data, isBinary); });
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => { this.onClose(); });
    ws.on('error', (error) => { this.onSocketError(error); });
    this.authTimer = setTimeout(() => { this.refuse('auth-timeout', 'no authentication within the time allowed'); }, authDeadlineMs);
    this.send({ v: PROTOCOL_VERSION, type: 'hello', serverUrl: ctx.serverUrl, nonce: toBase64Url(this.nonce), serverVersion: SERVER_VERSION });
  }

  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  send(message: ServerMessage): void {
    this.sendSerialized(JSON.stringify(message));
  }

  sendSerialized(data: Buffer | string): void {
    // Always a text frame: a Buffer would otherwise go out as binary, which a browser hands over
    // as a Blob.
    if (this.writable()) this.ws.send(data, { binary: false });
  }

  /** Open, and reading what it is sent; a client that let too much pile up is dropped here. */
  private writable(): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    if (this.ws.bufferedAmount <= this.ctx.limits.maxBufferedBytes) return true;
    // A client that stops reading would otherwise make the server hold every broadcast for it.
    this.ctx.metrics.rejects.inc({ reason: 'slow-consumer' });
    this.ctx.logger.warn('dropping a client that stopped reading', { userId: this.userId || undefined });
    this.terminate();
    return false;
  }

  sendFrames(frames: readonly Buffer[]): void {
    if (!this.writable()) return;
    // Safe beside ws's own writes: with compression off, ws writes each frame whole and at once,
    // so frames written here land between them, never inside one.
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
  }

  end(code: ProtocolErrorCode, message: string, closeCode: number): void {
    if (this.state === 'closed') return;
    this.send({ v: PROTOCOL_VERSION, type: 'error', code, message });
    this.close(closeCode, code);
  }

  /** Heartbeat: no pong since the last ping means the peer is gone. */
  heartbeat(): void {
    if (!this.alive) {
      this.ctx.metrics.rejects.inc({ reason: 'heartbeat-timeout' });
      this.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  terminate(): void {
    this.leaveState();
    this.ws.terminate();
  }

  /**
   * One message's fault ends its own socket, never the process (and with it every user's). The
   * log line names the error and where it was thrown; never the message, which may hold keys.
   */
  private onMessageGuarded(data: RawData, isBinary: boolean): void {
    try {
      this.onMessage(data, isBinary);
    } catch (error) {
      this.failed(error);
    }
  }

  /** A fault while handling this socket's message (or its authentication, which finishes later). */
  private failed(error: unknown): void {
    this.ctx.logger.error('a message could not be handled; closing its connection', { userId: this.userId || undefined, ...errorOrigin(error) });
    this.countReject('internal');
    if (this.state === 'closed') return;
    try {
      this.send({ v: PROTOCOL_VERSION, type: 'error', code: 'internal', message: 'the server failed to handle this message and closed the connection' });
    } finally {
      this.close(CLOSE.internal, 'internal');
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    const receivedAt = performance.now();
    this.alive = true;
    if (byteLength(data) > this.ctx.limits.maxMessageBytes) {
      this.refuse('message-too-large', `a message may be at most ${this.ctx.limits.maxMessageBytes} bytes`, CLOSE.tooLarge);
      return;
    }
    if (!this.bucket.take()) {
      this.rateLimited();
      return;
    }
    if (isBinary) {
      this.reject('bad-message', 'messages are JSON in text frames');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(asText(data)) as unknown;
    } catch {
      this.reject('bad-message', 'the message is not JSON');
      return;
    }
    let message: ClientMessage;
    try {
      message = parseClientMessage(value);
    } catch (error) {
      // Anything but a ProtocolError (a pathological nesting depth, say) is still the client's fault.
      if (error instanceof ProtocolError) this.reject(error.code, error.message, refsOf(value));
      else this.reject('bad-message', 'the message could not be read', refsOf(value));
      return;
    }
    this.ctx.metrics.messages.inc({ type: message.type });
    if (this.state === 'authenticated') {
      if (message.type === 'directory.sync' && this.ctx.hub.directory.isFull(message.since) && !this.directoryBucket.take()) {
        const seconds = this.ctx.limits.fullDirectoryIntervalMs / 1000;
        this.reject(
          'rate-limited',
          `a full directory is sent once every ${seconds} s; sync with the epoch and version you hold to get only the changes, and directory.user and directory.removed keep it current`,
          { ...(message.id === undefined ? {} : { ref: message.id }) },
        );
        return;
      }
      this.ctx.hub.handle(this, message, receivedAt);
    } else if (this.state === 'authenticating') {
      const replay = message.type === 'auth' || message.type === 'enroll';
      this.refuse(replay ? 'nonce-reused' : 'not-authenticated', replay ? "this connection's challenge is already being answered" : 'wait for welcome before sending anything else');
    } else if (message.type === 'auth' || message.type === 'enroll') {
      this.authenticate(message).catch((error: unknown) => { this.failed(error); });
    } else {
      this.refuse('not-authenticated', `${message.type} needs authentication first: answer the challenge with auth or enroll`, CLOSE.policy, message.id);
    }
  }

  private async authenticate(message: Auth | Enroll): Promise<void> {
    this.state = 'authenticating';
    const { store, serverUrl, logger, metrics, addresses, refusals } = this.ctx;
    // The cheapest check first: a throttled address costs no hash, no query and no signature.
    if (message.type === 'enroll' && !addresses.mayEnroll(this.address)) {
      metrics.auths.inc({ method: message.type, result: 'rate-limited' });
      refusals.info('enrollment throttled', { method: message.type });
      this.refuse('rate-limited', 'too many failed enrollment attempts from your address or in total; try again later', CLOSE.policy, message.id);
      return;
    }
    let outcome: AuthOutcome;
    try {
      outcome = message.type === 'auth' ? await authenticate(store, serverUrl, this.nonce, message) : await enroll(store, serverUrl, this.nonce, message);
    } catch (error) {
      logger.error('authentication failed with an internal error', errorOrigin(error));
      outcome = { ok: false, code: 'internal', message: 'the server could not check this request' };
    }
    // The socket may have closed (or timed out) while the signature was being checked.
    if (!this.stillAuthenticating()) return;
    if (!outcome.ok) {
      metrics.auths.inc({ method: message.type, result: outcome.code });
      if (message.type === 'enroll' && outcome.code !== 'internal') addresses.enrollFailed(this.address);
      refusals.info('authentication refused', { method: message.type, errorCode: outcome.code, userId: message.type === 'auth' ? message.userId : undefined });
      this.refuse(outcome.code, outcome.message, outcome.code === 'internal' ? CLOSE.internal : CLOSE.policy, message.id);
      return;
    }
    this.userId = outcome.user.userId;
    const admission = this.ctx.hub.admit(this, outcome.user);
    if (!admission.ok) {
      metrics.auths.inc({ method: message.type, result: admission.code });
      this.refuse(admission.code, admission.message, admission.code === 'server-busy' ? CLOSE.tryAgainLater : CLOSE.policy, message.id);
      return;
    }
    clearTimeout(this.authTimer);
    this.state = 'authenticated';
    this.ctx.counts.unauthenticated -= 1;
    this.ctx.addresses.settled(this.address);
    metrics.auths.inc({ method: message.type, result: 'ok' });
    logger.info(message.type === 'enroll' ? 'device enrolled' : 'user authenticated', { userId: this.userId });
  }

  private stillAuthenticating(): boolean {
    return this.state === 'authenticating';
  }

  private rateLimited(): void {
    this.ctx.metrics.rejects.inc({ reason: 'rate-limited' });
    if (this.state !== 'authenticated') {
      this.refuse('rate-limited', 'too many messages before authentication');
      return;
    }
    // One warning a second is enough; the excess is dropped either way.
    const now = performance.now();
    if (now - this.lastRateWarning >= 1000) {
      this.lastRateWarning = now;
      this.send({ v: PROTOCOL_VERSION, type: 'error', code: 'rate-limited', message: `slow down: at most ${this.ctx.limits.ratePerSecond} messages a second; the excess is dropped` });
    }
  }

  /** Refuses one message; before authentication that also ends the connection. */
  private reject(code: ProtocolErrorCode, message: string, refs: { ref?: string; callId?: string } = {}): void {
    if (this.state !== 'authenticated') {
      this.refuse(code, message, CLOSE.policy, refs.ref);
      return;
    }
    this.countReject(code);
    this.send({ v: PROTOCOL_VERSION, type: 'error', code, message, ...refs });
  }

  /** Sends the error, then closes the socket. */
  private refuse(code: ProtocolErrorCode, message: string, closeCode: number = CLOSE.policy, ref?: string): void {
    if (this.state === 'closed') return;
    this.countReject(code);
    this.send({ v: PROTOCOL_VERSION, type: 'error', code, message, ...(ref === undefined ? {} : { ref }) });
    this.close(closeCode, code);
  }

  private countReject(code: ProtocolErrorCode): void {
    this.ctx.metrics.rejects.inc({ reason: code satisfies RejectReason });
  }

  private close(closeCode: number, reason: string): void {
    this.leaveState();
    this.ws.close(closeCode, reason);
    setTimeout(() => { this.ws.terminate(); }, CLOSE_GRACE_MS).unref();
  }

  /** Leaves whatever state the connection was in, exactly once. */
  private leaveState(): void {
    if (this.state === 'closed') return;
    clearTimeout(this.authTimer);
    if (this.state === 'authenticated') {
      this.ctx.hub.leave(this);
    } else {
      this.ctx.counts.unauthenticated -= 1;
      this.ctx.addresses.settled(this.address);
    }
    this.state = 'closed';
    this.ctx.connections.delete(this);
  }

  private onClose(): void {
    this.leaveState();
  }

  private onSocketError(error: Error): void {
    // ws reports oversized frames and protocol violations here, then closes the socket itself.
    const code = (error as Error & { code?: string }).code;
    this.ctx.metrics.rejects.inc({ reason: code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message-too-large' : 'bad-message' });
    this.ctx.logger.debug('socket error', { errorCode: code ?? 'unknown' });
    this.leaveState();
  }
}
