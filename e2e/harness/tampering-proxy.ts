import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/*
 * A malicious server, as far as clients can tell: a WebSocket proxy on loopback that sits in front
 * of the real server and relays every text frame both ways, unchanged, until told to lie. Then it
 * rewrites the server's `directory.delta` and `directory.user` messages so that one user's identity key
 * is replaced by another (to a client that holds a directory copy and is sent only changes, it
 * says that user changed): the attack end-to-end encryption must survive. It also keeps the call
 * signals it relays to each user, can send a user a message the server never sent (`inject`), and
 * can take a user's outgoing call messages away from the server (`divertFrom`): what a server
 * that plays the other party in WebRTC's renegotiation would do.
 *
 * Start it before the server (its URL is the server's --public-url, the URL clients sign), then
 * point it at the server's own ws URL with `forwardTo`.
 */

/** A `call.signal` as the server relays it: `from` set, `data` as simple-peer emitted it. */
export interface RelayedSignal {
  v: number;
  type: 'call.signal';
  callId: string;
  from: string;
  data: Record<string, unknown>;
}

interface Relay {
  readonly client: WebSocket;
  readonly upstream: WebSocket;
  /** Who this client is, once the server has welcomed it (after `auth` or `enroll`). */
  userId: string | undefined;
}

export class TamperingProxy {
  private upstreamUrl: string | undefined;
  private swap: { userId: string; identityKey: string } | undefined;
  private readonly relays = new Set<Relay>();
  /** How many server → client messages were rewritten so far. */
  rewritten = 0;
  /** Every `call.signal` relayed to each user, in order. */
  readonly signalsTo = new Map<string, RelayedSignal[]>();
  private readonly names = new Map<string, string>();
  private readonly diversions = new Map<string, { types: readonly string[]; sink: (message: Record<string, unknown>) => void }>();

  private constructor(
    private readonly server: WebSocketServer,
    /** The URL clients dial: give it to the server as --public-url. */
    readonly url: string,
  ) {
    server.on('connection', (client) => { this.accept(client); });
  }

  /** Starts listening on a free loopback port. */
  static async listen(): Promise<TamperingProxy> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    return new TamperingProxy(server, `ws://127.0.0.1:${port}/ws`);
  }

  /** The real server's ws URL; connections before this is set are refused. */
  forwardTo(upstreamUrl: string): void {
    this.upstreamUrl = upstreamUrl;
  }

  /** From now on, every client but `userId` itself is told `userId` has this (base64url) identity key. */
  swapKey(userId: string, identityKey: string): void {
    this.swap = { userId, identityKey };
  }

  /** Honest again. */
  stopSwapping(): void {
    this.swap = undefined;
  }

  /** Sends `message` to every connection of `userId` as if the server had; returns how many got it. */
  inject(userId: string, message: object): number {
    let sent = 0;
    for (const relay of this.relays) {
      if (relay.userId !== userId || relay.client.readyState !== WebSocket.OPEN) continue;
      relay.client.send(JSON.stringify(message));
      sent += 1;
    }
    return sent;
  }

  /** From now on, `userId`'s messages of these types go to `sink` instead of the server. */
  divertFrom(userId: string, types: readonly string[], sink: (message: Record<string, unknown>) => void): void {
    this.diversions.set(userId, { types, sink });
  }

  /** Drops every connection of `userId`, from the proxy's side; returns how many it dropped. */
  disconnect(userId: string): number {
    let dropped = 0;
    for (const relay of this.relays) {
      if (relay.userId !== userId) continue;
      relay.client.terminate();
      relay.upstream.terminate();
      dropped += 1;
    }
    return dropped;
  }

  async close(): Promise<void> {
    for (const relay of this.relays) {
      relay.client.terminate();
      relay.upstream.terminate();
    }
    this.relays.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => { resolve(); });
    });
  }

  private accept(client: WebSocket): void {
    if (this.upstreamUrl === undefined) {
      client.close(1013, 'proxy not ready');
      return;
    }
    // The version the app offered is the one the server must see (ws answered the app with it).
    const upstream = client.protocol === '' ? new WebSocket(this.upstreamUrl) : new WebSocket(this.upstreamUrl, client.protocol);
    const relay: Relay = { client, upstream, userId: undefined };
    this.relays.add(relay);
    // What the client says before the server's socket is open waits here, in order.
    const pending: string[] = [];

    client.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = rawText(data);
      const diversion = relay.userId === undefined ? undefined : this.diversions.get(relay.userId);
      const message = diversion === undefined ? undefined : parsed(text);
      const type = message?.['type'];
      if (diversion !== undefined && message !== undefined && typeof type === 'string' && diversion.types.includes(type)) {
        diversion.sink(message);
        return;
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else pending.push(text);
    });
    upstream.on('open', () => {
      for (const text of pending.splice(0)) upstream.send(text);
    });
    upstream.on('message', (data, isBinary) => {
      if (isBinary || client.readyState !== WebSocket.OPEN) return;
      const text = rawText(data);
      relay.userId ??= welcomed(text);
      if (relay.userId !== undefined) this.recordSignal(text, relay.userId);
      client.send(this.tamper(text, relay.userId));
    });

    const closeBoth = (): void => {
      this.relays.delete(relay);
      if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING) client.close();
      if (upstream.readyState === WebSocket.OPEN) upstream.close();
      else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  }

  private recordSignal(text: string, recipient: string): void {
    const message = parsed(text);
    if (message?.['type'] !== 'call.signal' || !isRecord(message['data'])) return;
    const list = this.signalsTo.get(recipient) ?? [];
    list.push(message as unknown as RelayedSignal);
    this.signalsTo.set(recipient, list);
  }

  /** A server → client frame, with the swapped key in place of the real one where the swap applies. */
  private tamper(text: string, recipient: string | undefined): string {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return text;
    }
    if (!isRecord(message)) return text;
    this.learnNames(message);
    const swap = this.swap;
    if (swap === undefined || recipient === swap.userId) return text;
    const replace = (entry: unknown): unknown =>
      isRecord(entry) && entry['id'] === swap.userId ? { ...entry, identityKey: swap.identityKey } : entry;
    const deltaUsers: unknown = message['users'];
    if (message['type'] === 'directory.delta' && Array.isArray(deltaUsers)) {
      const users: unknown[] = deltaUsers;
      const listed = users.some((entry) => isRecord(entry) && entry['id'] === swap.userId);
      // A client that holds a copy is sent only what changed: the lying server says the user did.
      const displayName = this.names.get(swap.userId);
      if (!listed && (message['full'] === true || displayName === undefined)) return text;
      this.rewritten += 1;
      return JSON.stringify({ ...message, users: listed ? users.map(replace) : [...users, { id: swap.userId, displayName, identityKey: swap.identityKey }] });
    }
    if (message['type'] === 'directory.user' && isRecord(message['user']) && message['user']['id'] === swap.userId) {
      this.rewritten += 1;
      return JSON.stringify({ ...message, user: replace(message['user']) });
    }
    return text;
  }

  /** Remembers the names the server gave, so a lie can name the user as the truth did. */
  private learnNames(message: Record<string, unknown>): void {
    const entries = message['type'] === 'directory.delta' && Array.isArray(message['users']) ? message['users'] : message['type'] === 'directory.user' ? [message['user']] : [];
    for (const entry of entries) {
      if (isRecord(entry) && typeof entry['id'] === 'string' && typeof entry['displayName'] === 'string') this.names.set(entry['id'], entry['displayName']);
    }
  }
}

function welcomed(text: string): string | undefined {
  const message = parsed(text);
  return message?.['type'] === 'welcome' && typeof message['userId'] === 'string' ? message['userId'] : undefined;
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const message: unknown = JSON.parse(text);
    return isRecord(message) ? message : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
