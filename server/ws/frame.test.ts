import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from './frame';

describe('textFrame', () => {
  it('frames payloads across all three length encodings, read back by a real ws client', async () => {
    const payloads = [0, 1, 125, 126, 65_535, 65_536, 200_000].map((length) => 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2));
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (_ws, request) => {
      // Written straight to the TCP socket, as the hub's broadcasts are.
      request.socket.write(Buffer.concat(payloads.map((text) => textFrame(Buffer.from(text)))));
    });
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('message', (data: Buffer, isBinary: boolean) => {
        expect(isBinary).toBe(false);
        received.push(data.toString('utf8'));
        if (received.length === payloads.length) resolve();
      });
    });
    expect(received).toEqual(payloads);
    client.terminate();
    server.close();
  });
});
