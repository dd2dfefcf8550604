import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import { PROTOCOL_VERSION, subprotocolFor, unsupportedVersionError } from '../../../shared/protocol';
import { EnrollmentError, enrollDevice, ServerConnection, VERSION_MISMATCH_REASON, type ConnectionStatus } from './server-connection';

/** A loopback port with nothing listening: every connection attempt is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return address.port;
}

async function firstRetry(urgent: boolean): Promise<number> {
  const port = await closedPort();
  const identity = await generateIdentityKeyPair();
  return new Promise<number>((resolve) => {
    const connection = new ServerConnection({
      serverUrl: `ws://127.0.0.1:${port}`,
      userId: 'alice',
      identity,
      onMessage: () => undefined,
      onStatus: (status: ConnectionStatus) => {
        if (status.state !== 'offline' || status.retryInMs === undefined) return;
        connection.close();
        resolve(status.retryInMs);
      },
      // A first wait of 4–8 s: far above the in-call cap.
      backoff: { baseMs: 8_000, maxMs: 30_000 },
      urgent: () => urgent,
    });
    connection.start();
  });
}

describe('server connection retries', () => {
  it('follow the backoff when idle, and come within 2 s while a call is up', async () => {
    expect(await firstRetry(false)).toBeGreaterThanOrEqual(4_000);
    expect(await firstRetry(true)).toBeLessThanOrEqual(2_000);
  });
});

/**
 * A server of another protocol version, as far as its bytes go: `pick` chooses the subprotocol (as
 * ws's handleProtocols does; a version-1 server took the first one offered), `greet` is its first
 * message. Records what each app offered.
 */
async function otherVersionServer(pick: (offered: Set<string>) => string | false, greet: (url: string) => string) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: pick });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const offered: string[] = [];
  const closed: Promise<void>[] = [];
  server.on('connection', (socket: WebSocket, request) => {
    offered.push(request.headers['sec-websocket-protocol'] ?? '');
    closed.push(new Promise((resolve) => socket.once('close', () => { resolve(); })));
    socket.send(greet(url));
  });
  server.on('wsClientError', () => undefined);
  return { url, offered, closed, close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }) };
}

/** Connects until the first refusal; the backoff is 1 ms, so a retry would follow at once. */
async function refusedBy(url: string): Promise<ConnectionStatus> {
  const identity = await generateIdentityKeyPair();
  return new Promise<ConnectionStatus>((resolve) => {
    const connection = new ServerConnection({
      serverUrl: url,
      userId: 'alice',
      identity,
      onMessage: () => undefined,
      onStatus: (status) => {
        if (status.state === 'refused') resolve(status);
      },
      backoff: { baseMs: 1, maxMs: 1 },
    });
    connection.start();
  });
}

const versionOneHello = (url: string) => JSON.stringify({ v: 1, type: 'hello', serverUrl: url, nonce: toBase64Url(new Uint8Array(32)), serverVersion: '0.9.0' });
const refusal = (version: number) => () => unsupportedVersionError(version, 'this server speaks another version');

describe('a server of another protocol version', () => {
  it.each([
    ['a version-1 server (it takes any subprotocol and says hello in version 1)', (offered: Set<string>) => [...offered][0] ?? false, versionOneHello],
    ['a server that speaks none of the versions offered (it picks none and refuses in the version-1 envelope)', () => false as const, refusal(1)],
    ['a server that refuses in this version', (offered: Set<string>) => [...offered][0] ?? false, refusal(PROTOCOL_VERSION)],
  ])('%s: refused once, "update Sealcall", no retry', async (_name, pick, greet) => {
    const server = await otherVersionServer(pick, greet);
    try {
      const status = await refusedBy(server.url);
      expect(status).toEqual({ state: 'refused', code: 'unsupported-version', reason: VERSION_MISMATCH_REASON });
      expect(status.state === 'refused' && status.reason).toMatch(/update Sealcall/);
      // The socket is gone, and a retry 1 ms later would have dialled again by the time it is.
      await Promise.all(server.closed);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.offered).toEqual([subprotocolFor(PROTOCOL_VERSION)]);
    } finally {
      await server.close();
    }
  });

  it('enrollment against it fails with the same words', async () => {
    const server = await otherVersionServer(() => false, refusal(1));
    try {
      const identity = await generateIdentityKeyPair();
      const failure = enrollDevice({ serverUrl: server.url, code: 'x'.repeat(22), deviceName: 'laptop', identity });
      await expect(failure).rejects.toBeInstanceOf(EnrollmentError);
      await expect(failure).rejects.toMatchObject({ code: 'unsupported-version', message: VERSION_MISMATCH_REASON });
    } finally {
      await server.close();
    }
  });
});
