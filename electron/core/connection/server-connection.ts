import WebSocket from 'ws';
import { fromBase64Url, toBase64Url } from '../../../shared/crypto/bytes';
import { serializeIdentityKey, type IdentityKeyPair } from '../../../shared/crypto/identity';
import { signAuthChallenge, signEnrollChallenge } from '../../../shared/crypto/server-auth';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  checkServerUrl,
  parseServerMessage,
  subprotocolFor,
  type ClientMessage,
  type Hello,
  type ServerMessage,
  type Welcome,
} from '../../../shared/protocol';
import { Backoff } from './backoff';
import { helloMismatch } from './hello-check';

/*
 * The main process's one connection to the company server. It lives in the core, not the
 * renderer, so calls ring while the window is closed to the tray, and so the identity key that
 * answers the server's challenge never leaves the main process.
 */

export type ConnectionStatus =
  | { state: 'offline'; retryInMs?: number }
  | { state: 'connecting' }
  | { state: 'online'; welcome: Welcome }
  | { state: 'refused'; code: string; reason: string };

/** What the user reads when the app and the server speak no protocol version in common. */
export const VERSION_MISMATCH_REASON =
  "this version of Sealcall cannot talk to your company's server (the app is too old or too new for it): update Sealcall, or ask IT which version to install";

export interface ServerConnectionOptions {
  serverUrl: string;
  userId: string;
  identity: IdentityKeyPair;
  onMessage: (message: ServerMessage) => void;
  onStatus: (status: ConnectionStatus) => void;
  backoff?: { baseMs: number; maxMs: number };
  /** How long without a server ping before the link counts as dead. */
  deadAfterMs?: number;
  /**
   * True while a call is up peer to peer: it needs the server back promptly (an ICE restart is
   * signalled through it), so retries then come at most URGENT_RETRY_MS apart.
   */
  urgent?: () => boolean;
}

/** One user's retries while in a call: a company's few calls at once cost the server nothing. */
const URGENT_RETRY_MS = 2_000;

/** The directory is about 115 bytes per user: this allows well over 100 000 colleagues. */
const MAX_SERVER_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Server refusals after which retrying cannot help: the user or IT must act. */
const FATAL_CODES = new Set(['revoked', 'unknown-user', 'auth-failed', 'unsupported-version', 'session-replaced']);

export class ServerConnection {
  private socket: WebSocket | undefined;
  private status: ConnectionStatus = { state: 'offline' };
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private deadTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly serverUrl: string;

  constructor(private readonly options: ServerConnectionOptions) {
    this.serverUrl = checkServerUrl(options.serverUrl);
    this.backoff = new Backoff(options.backoff ?? { baseMs: 500, maxMs: 30_000 });
  }

  get current(): ConnectionStatus {
    return this.status;
  }

  start(): void {
    this.stopped = false;
    if (this.socket === undefined && this.retryTimer === undefined) this.connect();
  }

  /** The computer woke up or the network came back: try now instead of when the backoff says. */
  reconnectNow(): void {
    if (this.stopped || this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.backoff.reset();
    this.connect();
  }

  /** Sends when online; false otherwise, so the caller can tell the user instead of queueing call set-up. */
  send(message: ClientMessage): boolean {
    if (this.status.state !== 'online' || this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.deadTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'client closing');
    this.setStatus({ state: 'offline' });
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.options.onStatus(status);
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.stopped) return;
    this.setStatus({ state: 'connecting' });
    const socket = new WebSocket(this.serverUrl, subprotocolFor(PROTOCOL_VERSION), { maxPayload: MAX_SERVER_MESSAGE_BYTES, handshakeTimeout: 10_000 });
    this.socket = socket;
    let authenticated = false;

    const armDeadTimer = (): void => {
      clearTimeout(this.deadTimer);
      this.deadTimer = setTimeout(() => { socket.terminate(); }, this.options.deadAfterMs ?? 45_000);
    };
    armDeadTimer();
    socket.on('ping', armDeadTimer);

    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      armDeadTimer();
      let message: ServerMessage;
      try {
        message = parseServerMessage(rawText(data));
      } catch (error) {
        // Another version's message (an old server's hello, or its refusal in its own envelope):
        // every retry would meet the same server.
        if (error instanceof ProtocolError && error.code === 'unsupported-version') {
          this.refuseVersion(socket);
          return;
        }
        // A server that speaks nonsense gets dropped and retried; it cannot be reasoned with.
        socket.close(1002, error instanceof ProtocolError ? error.code : 'bad-message');
        return;
      }
      if (message.type === 'error' && message.code === 'unsupported-version') {
        this.refuseVersion(socket);
        return;
      }
      if (message.type === 'error' && FATAL_CODES.has(message.code)) {
        // Revoked, or replaced by this user's newer session: reconnecting would only fight it.
        this.setStatus({ state: 'refused', code: message.code, reason: message.message });
        socket.close(1000, 'refused');
        return;
      }
      if (!authenticated) {
        authenticated = this.handleAuthPhase(socket, message);
        return;
      }
      this.options.onMessage(message);
    });

    socket.on('close', () => {
      clearTimeout(this.deadTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped || this.status.state === 'refused') return;
      const backedOff = this.backoff.next();
      const delay = this.options.urgent?.() === true ? Math.min(backedOff, URGENT_RETRY_MS) : backedOff;
      this.setStatus({ state: 'offline', retryInMs: delay });
      this.retryTimer = setTimeout(() => {
        this.connect();
      }, delay);
    });
    socket.on('error', (error) => {
      // A server that picks none of the versions offered fails the WebSocket handshake (ws checks
      // the subprotocol before any message): the same server will refuse every retry.
      if (isSubprotocolRefusal(error)) this.refuseVersion(socket);
      // Otherwise 'close' follows, where the retry happens.
    });
  }

  /** Fatal: no retry can help until the app (or the server) is updated. */
  private refuseVersion(socket: WebSocket): void {
    this.setStatus({ state: 'refused', code: 'unsupported-version', reason: VERSION_MISMATCH_REASON });
    // After a failed handshake ws is already closing the socket itself.
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'unsupported-version');
  }

  /** Answers the challenge; true once welcomed. Synchronous, so nothing after the welcome is missed. */
  private handleAuthPhase(socket: WebSocket, message: ServerMessage): boolean {
    if (message.type === 'hello') {
      const mismatch = helloMismatch(this.serverUrl, message);
      if (mismatch !== undefined) {
        // Retrying would meet the same server: IT has to fix its address, so say so and stop.
        this.setStatus({ state: 'refused', code: 'server-url-mismatch', reason: mismatch });
        socket.close(1000, 'server-url-mismatch');
        return false;
      }
      // Still sign the URL we dialled, not the one the server names.
      signAuthChallenge(this.options.identity.secretKey, this.serverUrl, this.options.userId, fromBase64Url(message.nonce)).then(
        (signature) => {
          if (socket.readyState !== WebSocket.OPEN) return;
          socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'auth', userId: this.options.userId, signature: toBase64Url(signature) }));
        },
        () => { socket.close(1011, 'cannot sign'); },
      );
      return false;
    }
    if (message.type === 'welcome') {
      this.backoff.reset();
      this.setStatus({ state: 'online', welcome: message });
      return true;
    }
    return false;
  }
}

function isSubprotocolRefusal(error: Error): boolean {
  return /^Server sent (no|an invalid) subprotocol$/.test(error.message);
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Enrolls a new device: one short-lived connection that registers the identity key with the
 * one-time code from the link. Resolves with who the server says we are.
 */
export function enrollDevice(params: {
  serverUrl: string;
  code: string;
  deviceName: string;
  identity: IdentityKeyPair;
  timeoutMs?: number;
}): Promise<Welcome> {
  const serverUrl = checkServerUrl(params.serverUrl);
  return new Promise<Welcome>((resolve, reject) => {
    const socket = new WebSocket(serverUrl, subprotocolFor(PROTOCOL_VERSION), { maxPayload: MAX_SERVER_MESSAGE_BYTES, handshakeTimeout: 10_000 });
    let settled = false;
    const finish = (outcome: { welcome: Welcome } | { error: EnrollmentError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close(1000, 'enrollment done');
      if ('welcome' in outcome) resolve(outcome.welcome);
      else reject(outcome.error);
    };
    const timer = setTimeout(() => {
      finish({ error: new EnrollmentError('timeout', 'the server did not answer in time; check the network and try again') });
    }, params.timeoutMs ?? 15_000);

    socket.on('message', (data) => {
      let message: ServerMessage;
      try {
        message = parseServerMessage(rawText(data));
      } catch (error) {
        if (error instanceof ProtocolError && error.code === 'unsupported-version') {
          finish({ error: new EnrollmentError('unsupported-version', VERSION_MISMATCH_REASON) });
          return;
        }
        finish({ error: new EnrollmentError('bad-server', 'the server sent something this app does not understand') });
        return;
      }
      if (message.type === 'hello') {
        const mismatch = helloMismatch(serverUrl, message);
        if (mismatch !== undefined) {
          finish({ error: new EnrollmentError('server-url-mismatch', mismatch) });
          return;
        }
        void answerEnrollment(socket, serverUrl, message, params).catch(() => {
          finish({ error: new EnrollmentError('internal', 'could not sign the enrollment request') });
        });
      } else if (message.type === 'welcome') {
        finish({ welcome: message });
      } else if (message.type === 'error') {
        finish({ error: new EnrollmentError(message.code, message.code === 'unsupported-version' ? VERSION_MISMATCH_REASON : message.message) });
      }
    });
    socket.on('error', (error) => {
      if (isSubprotocolRefusal(error)) {
        finish({ error: new EnrollmentError('unsupported-version', VERSION_MISMATCH_REASON) });
        return;
      }
      finish({ error: new EnrollmentError('unreachable', `cannot reach the server: ${error.message}`) });
    });
    socket.on('close', () => {
      finish({ error: new EnrollmentError('unreachable', 'the server closed the connection') });
    });
  });
}

async function answerEnrollment(
  socket: WebSocket,
  serverUrl: string,
  hello: Hello,
  params: { code: string; deviceName: string; identity: IdentityKeyPair },
): Promise<void> {
  const signature = await signEnrollChallenge(params.identity.secretKey, serverUrl, fromBase64Url(hello.nonce));
  socket.send(
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'enroll',
      code: params.code,
      identityKey: toBase64Url(serializeIdentityKey(params.identity.publicKey)),
      deviceName: params.deviceName,
      signature: toBase64Url(signature),
    }),
  );
}
