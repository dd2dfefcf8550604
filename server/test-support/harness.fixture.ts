/*
 * Test harness: runs the real server as a child process (the same bin an admin runs) on loopback
 * with a free port and a temporary data directory, and talks to it with real `ws` clients that sign
 * challenges with real libsodium keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { fromBase64Url, toBase64Url } from '../../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey, type IdentityKeyPair } from '../../shared/crypto/identity';
import { signAuthChallenge, signEnrollChallenge } from '../../shared/crypto/server-auth';
import {
  PROTOCOL_VERSION,
  parseServerMessage,
  subprotocolFor,
  type DirectoryDelta,
  type Hello,
  type PresenceSnapshot,
  type ServerMessage,
  type ServerMessageType,
} from '../../shared/protocol';
import { hashInviteCode, newInviteCode } from '../auth/invite-code';
import { openDatabase } from '../db/database';
import { createInvite } from '../db/invites';
import type { Store } from '../store/store';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/sealcall-server.js');

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sealcall-test-'));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in its own process, as an admin would. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Test-speed limits: short timers so the suite never waits for production defaults. */
export const FAST_LIMITS = ['--auth-timeout', '2s', '--heartbeat', '5s', '--invite-timeout', '1500ms', '--call-grace', '1s', '--revocation-poll', '100ms'];

export interface ServerProcess {
  port: number;
  httpUrl: string;
  wsUrl: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr (its JSON logs). */
  logs(): string;
  /** Sends a signal and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * A start takes about 0.6 CPU-s here from the server bundle the test runners build first (1.9 when
 * the bin falls back to tsx compiling the sources: bin/sealcall-server.js). An e2e spec may restart
 * the server while two Chromium pages decode video on the same 2 cores; under that load a start
 * was seen to take over 15 s. The limit only bounds how long a server that never comes up is
 * waited for.
 */
const START_LIMIT_MS = 40_000;

export async function startServerProcess(options: { dataDir?: string; args?: readonly string[]; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', dataDir, '--log-level', 'debug', ...FAST_LIMITS, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a stuck server behind.
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${START_LIMIT_MS / 1000} s\n${stdout}\n${stderr}`));
    }, START_LIMIT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
  let stopped: Promise<number | null> | undefined;
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir,
    child,
    logs: () => stderr,
    stop: (signal = 'SIGTERM') => {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(timeout);
        return code;
      })();
      return stopped;
    },
  };
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

/** A maker of empty data directories for one test file, each removed after the test that made it. */
export function dataDirsPerTest(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) removeDataDir(dir);
  });
  return () => {
    const dir = tempDataDir();
    dirs.push(dir);
    return dir;
  };
}

/** Creates an invite straight in the database, as the CLI does, but without spawning it. */
export function inviteDirect(dataDir: string, userId: string, displayName: string, expiresInMs = 3_600_000): string {
  const db = openDatabase(dataDir);
  try {
    const code = newInviteCode();
    const outcome = createInvite(db, { userId, displayName, codeHash: hashInviteCode(code), expiresAt: Date.now() + expiresInMs, reinstate: false });
    if (!outcome.ok) throw new Error(`could not invite ${userId}: ${outcome.reason}`);
    return code;
  } finally {
    db.close();
  }
}

export interface Closed {
  code: number;
  reason: string;
}

/** A WebSocket client that keeps every message, so a test can wait for the one it expects. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  private readonly unread: ServerMessage[] = [];
  private waiters: { match: (message: ServerMessage) => boolean; resolve: (message: ServerMessage) => void }[] = [];
  readonly closed: Promise<Closed>;
  private helloMessage: Hello | undefined;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => { resolve({ code, reason: reason.toString() }); });
    });
    ws.on('error', () => undefined);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // The protocol is JSON text; a binary frame would reach a browser client as a Blob.
      if (isBinary) throw new Error('the server sent a binary frame');
      this.onMessage(data);
    });
  }

  /**
   * Offers the current protocol's subprotocol, as the app does; `protocols: []` offers none, as
   * every version-1 app did.
   */
  static async connect(
    url: string,
    options: { autoPong?: boolean; expectHello?: boolean; localAddress?: string; headers?: Record<string, string>; protocols?: readonly string[] } = {},
  ): Promise<TestClient> {
    const ws = new WebSocket(url, [...(options.protocols ?? [subprotocolFor(PROTOCOL_VERSION)])], {
      autoPong: options.autoPong ?? true,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => { resolve(); });
      ws.once('error', reject);
    });
    if (options.expectHello ?? true) client.helloMessage = await client.next('hello');
    return client;
  }

  get hello(): Hello {
    if (!this.helloMessage) throw new Error('the server sent no hello');
    return this.helloMessage;
  }

  get nonce(): Uint8Array {
    return fromBase64Url(this.hello.nonce);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next unread message of `type` (or matching `match`); fails after `timeoutMs`. */
  next<T extends ServerMessageType>(type: T, match: (message: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    const test = (message: ServerMessage): message is Extract<ServerMessage, { type: T }> => message.type === type && match(message as Extract<ServerMessage, { type: T }>);
    const index = this.unread.findIndex(test);
    if (index >= 0) {
      const [found] = this.unread.splice(index, 1);
      return Promise.resolve(found as Extract<ServerMessage, { type: T }>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`no ${type} within ${timeoutMs} ms; unread: ${JSON.stringify(this.unread.map((m) => (m.type === 'error' ? `error ${m.code}: ${m.message}` : m.type)))}`));
      }, timeoutMs);
      const done = (message: ServerMessage) => {
        clearTimeout(timer);
        resolve(message as Extract<ServerMessage, { type: T }>);
      };
      this.waiters.push({ match: test, resolve: done });
    });
  }

  /** Resolves true if no message of `type` arrives within `ms`. */
  async nothing(type: ServerMessageType, ms = 300): Promise<boolean> {
    try {
      await this.next(type, () => true, ms);
      return false;
    } catch {
      return true;
    }
  }

  async error(code?: string, timeoutMs = 5000) {
    return this.next('error', (message) => code === undefined || message.code === code, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }

  /** Sends directory.sync (from `since`, or for a full copy) and waits for its answer. */
  async sync(since?: { epoch: string; version: number }): Promise<DirectoryDelta> {
    this.send({ v: PROTOCOL_VERSION, type: 'directory.sync', ...(since === undefined ? {} : { since }) });
    return this.next('directory.delta');
  }

  /** Changes the users whose presence this session follows; resolves to the snapshot. */
  async subscribe(add: readonly string[], remove: readonly string[] = []): Promise<PresenceSnapshot> {
    this.send({ v: PROTOCOL_VERSION, type: 'presence.subscribe', add, remove });
    return this.next('presence.snapshot');
  }

  async auth(userId: string, keys: IdentityKeyPair, id?: string): Promise<void> {
    const signature = await signAuthChallenge(keys.secretKey, this.hello.serverUrl, userId, this.nonce);
    this.send({ v: PROTOCOL_VERSION, type: 'auth', userId, signature: toBase64Url(signature), ...(id ? { id } : {}) });
  }

  async enroll(code: string, keys: IdentityKeyPair, deviceName = 'test laptop'): Promise<void> {
    const signature = await signEnrollChallenge(keys.secretKey, this.hello.serverUrl, this.nonce);
    this.send({
      v: PROTOCOL_VERSION,
      type: 'enroll',
      code,
      identityKey: toBase64Url(serializeIdentityKey(keys.publicKey)),
      deviceName,
      signature: toBase64Url(signature),
    });
  }

  private onMessage(data: RawData): void {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
    // Every message the server sends must be valid by the shared schema: this is checked here, for all tests.
    const message = parseServerMessage(text);
    this.received.push(message);
    const waiter = this.waiters.find((candidate) => candidate.match(message));
    if (waiter) {
      this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
      waiter.resolve(message);
    } else {
      this.unread.push(message);
    }
  }
}

export interface EnrolledUser {
  userId: string;
  keys: IdentityKeyPair;
  client: TestClient;
  /** What the server said on signing in (its group-call cap among other things). */
  welcome: Extract<ServerMessage, { type: 'welcome' }>;
}

/** Invites, enrols and waits for welcome: a connected, authenticated user. */
export async function enrollUser(server: ServerProcess, userId: string, displayName = userId): Promise<EnrolledUser> {
  const code = inviteDirect(server.dataDir, userId, displayName);
  const keys = await generateIdentityKeyPair();
  const client = await TestClient.connect(server.wsUrl);
  await client.enroll(code, keys);
  const welcome = await client.next('welcome');
  return { userId, keys, client, welcome };
}

/** Connects and authenticates an already enrolled user. */
export async function signIn(server: ServerProcess, userId: string, keys: IdentityKeyPair): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  await client.auth(userId, keys);
  await client.next('welcome');
  return client;
}

export function randomCallId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * One real server process for a whole test file, started before its tests and removed after. The
 * returned object stands for the running server, so tests read `server.httpUrl` as usual.
 */
export function serverForSuite(options: Parameters<typeof startServerProcess>[0] = {}): ServerProcess {
  let running: ServerProcess | undefined;
  beforeAll(async () => {
    running = await startServerProcess(options);
  });
  afterAll(async () => {
    if (running === undefined) return;
    await running.stop();
    removeDataDir(running.dataDir);
  });
  return new Proxy({} as ServerProcess, {
    get(_target, key) {
      if (running === undefined) throw new Error('the suite server is not running yet (use it inside a test)');
      return Reflect.get(running, key) as unknown;
    },
  });
}

/**
 * Enrols `userId` on an instance of a cluster: the invite goes straight into the shared store (the
 * admin's view of it), so no CLI process runs per user. A connected, authenticated user.
 */
export async function enrollThroughStore(store: Pick<Store, 'createInvite'>, server: ServerProcess, userId: string): Promise<EnrolledUser> {
  const code = newInviteCode();
  const invited = await store.createInvite({ userId, displayName: userId, codeHash: hashInviteCode(code), expiresAt: Date.now() + 3_600_000, reinstate: false });
  if (!invited.ok) throw new Error(`could not invite ${userId}`);
  const keys = await generateIdentityKeyPair();
  const client = await TestClient.connect(server.wsUrl);
  await client.enroll(code, keys);
  const welcome = await client.next('welcome');
  return { userId, keys, client, welcome };
}
