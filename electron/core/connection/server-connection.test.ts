import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import { ServerConnection, type ConnectionStatus } from './server-connection';

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
