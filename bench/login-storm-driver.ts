/**
 * Load driver for the company-scale benchmark, run as its own process so the server's CPU and
 * memory are measured alone. It logs `count` distinct enrolled users in, `concurrency` at a time,
 * each doing what the app does after login (docs/protocol.md): `directory.sync` (with the
 * {epoch, version} it stored last time, if any), then `presence.subscribe` to its colleagues.
 * A user counts as online once both answers (`directory.delta`, `presence.snapshot`) are in.
 *
 * It talks JSON lines: on stdout `armed` (keys derived, nothing connected yet), `ready`,
 * `watching`, `counters`, `closed`; on stdin the commands `go`, `watch`, `counters` and `close`
 * (see `DriverCommand`). When stdin ends it cuts every socket and exits.
 *
 * Usage (the bench spawns it): node --import tsx bench/login-storm-driver.ts '<json options>'
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { fromBase64Url, toBase64Url } from '../shared/crypto/bytes';
import type { IdentityKeyPair } from '../shared/crypto/identity';
import { signAuthChallenge } from '../shared/crypto/server-auth';
import { PROTOCOL_VERSION, subprotocolFor } from '../shared/protocol';
import { benchKeys, benchUserId } from './server-bench-keys';

export interface StormDriverOptions {
  url: string;
  /** Global index of this driver's first user; it drives `first … first + count - 1`. */
  first: number;
  count: number;
  seed: string;
  /** All users of the storm: colleagues are picked around each user's index, modulo this. */
  total: number;
  /** Colleagues each user subscribes to: the nearest indexes on either side. */
  colleagues: number;
  /** Logins this driver keeps in flight at once. */
  concurrency: number;
  /** Loopback source addresses to spread connections over (more ephemeral ports). */
  localAddresses: string[];
  /** Where each user's stored {epoch, version} lives between storms (read at start, written at close). */
  stateFile: string;
}

export type DriverCommand =
  | { cmd: 'go' }
  /** Users with a global index below `watchers` follow `userId`; the others stop following it. */
  | { cmd: 'watch'; userId: string; watchers: number }
  | { cmd: 'counters' }
  | { cmd: 'close' };

export interface DriverCounters {
  /** Payload bytes of every message received. */
  bytes: number;
  /** Bytes read from the TCP sockets: payloads, frame headers and the upgrade responses. */
  wireBytes: number;
  messages: number;
  /** `presence` messages received, and those about the watched user. */
  presence: number;
  presenceAboutWatched: number;
  /** directory.delta answers that were full copies, and the entries all deltas carried. */
  fullSyncs: number;
  entries: number;
}

export interface DriverReady extends DriverCounters {
  type: 'ready';
  ready: number;
  failed: number;
  /** Wall-clock (Date.now) of the first connection attempt and of the last user online. */
  startedAt: number;
  readyAt: number;
  /** This driver's own CPU time (user + system) during the storm: the load's share of the machine. */
  cpuSeconds: number;
  errors: string[];
}

interface SyncState {
  epoch: string;
  version: number;
}

interface Client {
  index: number;
  userId: string;
  ws: WebSocket;
  tcp: Socket | undefined;
  follows: Set<string>;
}

const SUBPROTOCOL = subprotocolFor(PROTOCOL_VERSION);
const v = PROTOCOL_VERSION;

const options = JSON.parse(process.argv[2] ?? '{}') as StormDriverOptions;
if (!/^ws:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?\//.test(options.url)) {
  throw new Error('the load driver only ever talks to loopback');
}

const stored: Record<string, SyncState> = existsSync(options.stateFile)
  ? (JSON.parse(readFileSync(options.stateFile, 'utf8')) as Record<string, SyncState>)
  : {};
const clients: Client[] = [];
const counters: DriverCounters = { bytes: 0, wireBytes: 0, messages: 0, presence: 0, presenceAboutWatched: 0, fullSyncs: 0, entries: 0 };
const errors = new Set<string>();
let watched: string | undefined;
let pendingSnapshots = 0;
let onSnapshotsDone: (() => void) | undefined;

function send(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The ids of the `colleagues` users nearest to `index` on the ring of all users, itself excluded. */
function colleaguesOf(index: number): string[] {
  const ids: string[] = [];
  const half = Math.floor(options.colleagues / 2);
  for (let offset = 1; ids.length < Math.min(options.colleagues, options.total - 1); offset += 1) {
    ids.push(benchUserId((index + offset) % options.total));
    if (ids.length < options.colleagues && offset <= half) ids.push(benchUserId((index - offset + options.total) % options.total));
  }
  return ids;
}

function wireBytes(): number {
  return clients.reduce((sum, client) => sum + (client.tcp?.bytesRead ?? 0), 0);
}

function logIn(index: number, keys: IdentityKeyPair): Promise<boolean> {
  return new Promise((resolve) => {
    const userId = benchUserId(index);
    const localAddress = options.localAddresses[index % options.localAddresses.length];
    const ws = new WebSocket(options.url, [SUBPROTOCOL], { localAddress, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    const client: Client = { index, userId, ws, tcp: undefined, follows: new Set() };
    clients.push(client);
    let synced = false;
    let subscribed = false;
    let settled = false;
    const settle = (ok: boolean, why?: string) => {
      if (why !== undefined) errors.add(why);
      if (settled) return;
      settled = true;
      resolve(ok);
    };
    ws.on('upgrade', (response) => { client.tcp = response.socket; });
    ws.on('error', (error) => { settle(false, `socket: ${error.message}`); });
    ws.on('close', (code) => { settle(false, `closed ${String(code)}`); });
    ws.on('message', (data: Buffer) => {
      counters.bytes += data.length;
      counters.messages += 1;
      // Presence updates are most of the traffic once online: count them without a parse.
      if (data.includes('"type":"presence"')) {
        counters.presence += 1;
        if (watched !== undefined && data.includes(`"userId":${JSON.stringify(watched)}`)) counters.presenceAboutWatched += 1;
        return;
      }
      const message = JSON.parse(data.toString('utf8')) as {
        type: string;
        serverUrl?: string;
        nonce?: string;
        code?: string;
        epoch?: string;
        version?: number;
        full?: boolean;
        users?: unknown[];
      };
      switch (message.type) {
        case 'hello': {
          const { serverUrl, nonce } = message;
          if (serverUrl === undefined || nonce === undefined) {
            settle(false, 'hello without serverUrl or nonce');
            return;
          }
          void signAuthChallenge(keys.secretKey, serverUrl, userId, fromBase64Url(nonce)).then((signature) => {
            ws.send(JSON.stringify({ v, type: 'auth', userId, signature: toBase64Url(signature) }));
          });
          return;
        }
        case 'welcome': {
          const since = stored[userId];
          ws.send(JSON.stringify({ v, type: 'directory.sync', ...(since === undefined ? {} : { since }) }));
          const follow = colleaguesOf(index);
          for (const id of follow) client.follows.add(id);
          ws.send(JSON.stringify({ v, type: 'presence.subscribe', add: follow, remove: [] }));
          return;
        }
        case 'directory.delta': {
          if (message.epoch !== undefined && message.version !== undefined) stored[userId] = { epoch: message.epoch, version: message.version };
          if (message.full === true) counters.fullSyncs += 1;
          counters.entries += message.users?.length ?? 0;
          synced = true;
          if (subscribed) settle(true);
          return;
        }
        case 'presence.snapshot': {
          if (!subscribed) {
            subscribed = true;
            if (synced) settle(true);
            return;
          }
          pendingSnapshots -= 1;
          if (pendingSnapshots === 0) onSnapshotsDone?.();
          return;
        }
        case 'error':
          settle(false, `error ${message.code ?? '?'}`);
          return;
        default:
          return;
      }
    });
  });
}

async function storm(keys: readonly IdentityKeyPair[]): Promise<void> {
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  let readyAt = startedAt;
  let ready = 0;
  let failed = 0;
  let next = 0;
  const pump = async () => {
    while (next < options.count) {
      const slot = next++;
      const pair = keys[slot];
      if (pair === undefined) continue;
      if (await logIn(options.first + slot, pair)) {
        ready += 1;
        readyAt = Date.now();
      } else {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => pump()));
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result: DriverReady = { type: 'ready', ready, failed, startedAt, readyAt, cpuSeconds, errors: [...errors].slice(0, 5), ...counters, wireBytes: wireBytes() };
  send({ ...result });
}

/** Points the watchers at `userId` (and everyone else away from it); resolves once every change is answered. */
function watch(userId: string, watchers: number): Promise<void> {
  watched = userId;
  const changes: { client: Client; add: string[]; remove: string[] }[] = [];
  for (const client of clients) {
    if (client.ws.readyState !== WebSocket.OPEN) continue;
    const wants = client.index < watchers;
    if (wants && !client.follows.has(userId)) {
      client.follows.add(userId);
      changes.push({ client, add: [userId], remove: [] });
    } else if (!wants && client.follows.has(userId)) {
      client.follows.delete(userId);
      changes.push({ client, add: [], remove: [userId] });
    }
  }
  // Only additions are answered with a snapshot; removals are silent.
  pendingSnapshots = changes.filter((change) => change.add.length > 0).length;
  const done = new Promise<void>((resolve) => {
    onSnapshotsDone = resolve;
    if (pendingSnapshots === 0) resolve();
  });
  for (const { client, add, remove } of changes) client.ws.send(JSON.stringify({ v, type: 'presence.subscribe', add, remove }));
  return done;
}

async function closeAll(): Promise<void> {
  writeFileSync(options.stateFile, JSON.stringify(stored));
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.ws.readyState === WebSocket.CLOSED) {
            resolve();
            return;
          }
          client.ws.once('close', () => { resolve(); });
          client.ws.close(1000, 'bench logout');
        }),
    ),
  );
}

const keys = await Promise.all(Array.from({ length: options.count }, (_, slot) => benchKeys(options.seed, options.first + slot)));
send({ type: 'armed' });

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line) as DriverCommand;
  switch (command.cmd) {
    case 'go':
      void storm(keys);
      return;
    case 'watch':
      void watch(command.userId, command.watchers).then(() => { send({ type: 'watching' }); });
      return;
    case 'counters':
      send({ type: 'counters', ...counters, wireBytes: wireBytes() });
      return;
    case 'close':
      void closeAll().then(() => { send({ type: 'closed' }); });
      return;
  }
});
lines.on('close', () => {
  for (const client of clients) client.ws.terminate();
  process.exit(0);
});
