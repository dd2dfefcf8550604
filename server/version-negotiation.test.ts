import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, subprotocolFor } from '../shared/protocol';
import { TestClient, serverForSuite } from './test-support/harness.fixture';

const server = serverForSuite();

interface Refusal {
  protocol: string;
  messages: string[];
  close: { code: number; reason: string };
}

/** Dials as a raw ws client offering `protocols`, and records everything until the close. */
function dial(protocols: string[]): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    // Exactly how the version-1 app dialled when it offered nothing: no subprotocol argument at all.
    const ws = protocols.length === 0 ? new WebSocket(server.wsUrl, { handshakeTimeout: 10_000 }) : new WebSocket(server.wsUrl, protocols, { handshakeTimeout: 10_000 });
    const messages: string[] = [];
    ws.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
    ws.on('error', reject);
    ws.on('close', (code, reason) => { resolve({ protocol: ws.protocol, messages, close: { code, reason: reason.toString() } }); });
  });
}

/**
 * The version-1 app's reading of an error (its shared/protocol, commit 9bcfa37): a strict object
 * with v 1, type 'error', a known code, a message of at most 500 characters; 'unsupported-version'
 * is in its FATAL_CODES, so it stops and shows the reason instead of reconnecting.
 */
function readableByVersion1(text: string): boolean {
  const value = JSON.parse(text) as Record<string, unknown>;
  return (
    Object.keys(value).sort().join() === 'code,message,type,v' &&
    value.v === 1 &&
    value.type === 'error' &&
    value.code === 'unsupported-version' &&
    typeof value.message === 'string' &&
    value.message.length <= 500
  );
}

describe('protocol version negotiation', () => {
  it('refuses a version-1 app (no subprotocol) with one error it reads as fatal, then closes', async () => {
    const refusal = await dial([]);
    expect(refusal.protocol).toBe('');
    expect(refusal.messages).toHaveLength(1);
    const [only = ''] = refusal.messages;
    expect(readableByVersion1(only)).toBe(true);
    expect(JSON.parse(only)).toMatchObject({ message: expect.stringMatching(/update Sealcall/) as string });
    expect(refusal.close).toEqual({ code: 1008, reason: 'unsupported-version' });
    // Counted, and logged through the refusal budget without the client's words.
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^sealcall_rejects_total\{reason="unsupported-version"\} [1-9]/m);
    expect(server.logs()).toMatch(/"msg":"protocol version refused".*"offeredVersion":1/);
  });

  it('answers a client offering only other versions in the highest one it offered', async () => {
    const refusal = await dial(['sealcall.1', 'sealcall.9', 'chat']);
    expect(refusal.protocol).toBe('sealcall.9');
    expect(refusal.messages.map((text) => JSON.parse(text) as unknown)).toEqual([
      { v: 9, type: 'error', code: 'unsupported-version', message: expect.stringMatching(/update Sealcall/) as string },
    ]);
    expect(refusal.close.code).toBe(1008);
  });

  it('serves a client offering the current version among others', async () => {
    const client = await TestClient.connect(server.wsUrl, { protocols: ['sealcall.1', subprotocolFor(PROTOCOL_VERSION), 'sealcall.9'] });
    expect(client.ws.protocol).toBe(subprotocolFor(PROTOCOL_VERSION));
    expect(client.hello.v).toBe(PROTOCOL_VERSION);
    client.close();
  });
});
