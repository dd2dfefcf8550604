import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import { PROTOCOL_VERSION } from '../../../shared/protocol';
import { ServerConnection, enrollDevice, type ConnectionStatus } from './server-connection';

/*
 * A server that relays another server's challenge: it names that other server in its hello. The
 * app must refuse before it signs anything, and say which two addresses disagree.
 */

interface FakeServer {
  url: string;
  /** The types of every message a client sent. */
  received: string[];
  close(): Promise<void>;
}

let running: FakeServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function serverNaming(name: (ownUrl: string) => string): Promise<FakeServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  const received: string[] = [];
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const parsed = JSON.parse(data.toString('utf8')) as { type: string };
      received.push(parsed.type);
    });
    socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', serverUrl: name(url), nonce: toBase64Url(randomBytes(32)), serverVersion: 'test' }));
  });
  const server: FakeServer = {
    url,
    received,
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => { resolve(); });
    }),
  };
  running = server;
  return server;
}

async function connectTo(server: FakeServer): Promise<ConnectionStatus> {
  const identity = await generateIdentityKeyPair();
  return new Promise<ConnectionStatus>((resolve) => {
    const connection = new ServerConnection({
      serverUrl: server.url,
      userId: 'alice',
      identity,
      onMessage: () => undefined,
      onStatus: (status) => {
        if (status.state !== 'refused' && status.state !== 'online') return;
        resolve(status);
        queueMicrotask(() => { connection.close(); });
      },
    });
    connection.start();
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 5_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the hello names the server that was dialled', () => {
  it('a hello naming another server is refused with both addresses, and nothing is signed', async () => {
    const server = await serverNaming(() => 'wss://calls.other.example/ws');
    const status = await connectTo(server);
    expect(status).toMatchObject({ state: 'refused', code: 'server-url-mismatch' });
    expect(status.state === 'refused' ? status.reason : '').toContain('wss://calls.other.example/ws');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.received).toEqual([]);
  });

  it('a hello naming the dialled server is answered with auth (the twin)', async () => {
    const server = await serverNaming((own) => own);
    const identity = await generateIdentityKeyPair();
    const connection = new ServerConnection({ serverUrl: server.url, userId: 'alice', identity, onMessage: () => undefined, onStatus: () => undefined });
    connection.start();
    try {
      await until(() => server.received.length > 0);
      expect(server.received).toEqual(['auth']);
    } finally {
      connection.close();
    }
  });

  it('enrollment refuses a mismatched hello before spending the code', async () => {
    const server = await serverNaming(() => 'ws://127.0.0.1:9/');
    const identity = await generateIdentityKeyPair();
    const enrolling = enrollDevice({ serverUrl: server.url, code: 'x'.repeat(43), deviceName: 'laptop', identity });
    await expect(enrolling).rejects.toMatchObject({ code: 'server-url-mismatch' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.received).toEqual([]);
  });
});
