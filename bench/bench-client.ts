/**
 * One benchmark user in the bench's own process: logs in as `bench-<index>` over the current
 * protocol (offering its WebSocket subprotocol, answering the challenge), and lets the bench send
 * messages and wait for answers. The many-user load runs in driver processes instead.
 */
import { WebSocket } from 'ws';
import { fromBase64Url, toBase64Url } from '../shared/crypto/bytes';
import { signAuthChallenge } from '../shared/crypto/server-auth';
import { PROTOCOL_VERSION, subprotocolFor } from '../shared/protocol';
import { benchKeys, benchUserId } from './server-bench-keys';

export const SUBPROTOCOL = subprotocolFor(PROTOCOL_VERSION);

export interface ServerLine {
  type: string;
  [field: string]: unknown;
}

export class BenchClient {
  private readonly handlers = new Set<(message: ServerLine, raw: Buffer) => void>();

  private constructor(
    readonly ws: WebSocket,
    readonly userId: string,
  ) {
    ws.on('message', (data: Buffer) => {
      // Hot paths (the relay timing) look at the raw text first and skip the parse when they can.
      let parsed: ServerLine | undefined;
      for (const handler of this.handlers) {
        parsed ??= JSON.parse(data.toString('utf8')) as ServerLine;
        handler(parsed, data);
      }
    });
  }

  /** Connects and authenticates; with `sync`, also waits for the answer to a first directory.sync. */
  static connect(url: string, seed: string, index: number, options: { sync?: boolean; localAddress?: string } = {}): Promise<BenchClient> {
    const userId = benchUserId(index);
    const ws = new WebSocket(url, [SUBPROTOCOL], { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024, ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) });
    const client = new BenchClient(ws, userId);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        client.handlers.delete(onMessage);
        ws.terminate();
        reject(new Error(`${userId}: ${why}`));
      };
      ws.once('error', (error) => { fail(error.message); });
      ws.once('close', (code) => { fail(`closed ${String(code)} while logging in`); });
      const onMessage = (message: ServerLine) => {
        if (message.type === 'hello' && typeof message['serverUrl'] === 'string' && typeof message['nonce'] === 'string') {
          const serverUrl = message['serverUrl'];
          const nonce = message['nonce'];
          void benchKeys(seed, index)
            .then((keys) => signAuthChallenge(keys.secretKey, serverUrl, userId, fromBase64Url(nonce)))
            .then((signature) => { client.send({ type: 'auth', userId, signature: toBase64Url(signature) }); });
        } else if (message.type === 'welcome') {
          if (options.sync === true) client.send({ type: 'directory.sync' });
          else done();
        } else if (message.type === 'directory.delta') {
          done();
        } else if (message.type === 'error') {
          fail(`error ${String(message['code'])}`);
        }
      };
      const done = () => {
        client.handlers.delete(onMessage);
        ws.removeAllListeners('error');
        ws.removeAllListeners('close');
        ws.on('error', () => undefined);
        resolve(client);
      };
      client.handlers.add(onMessage);
    });
  }

  /** Sends a message of the current protocol version (`v` is added). */
  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...message }));
  }

  /** Calls `handler` for every message from now on; returns a function that stops it. */
  listen(handler: (message: ServerLine, raw: Buffer) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** The next message that `matches`, within `timeoutMs`. */
  waitFor(matches: (message: ServerLine) => boolean, timeoutMs: number): Promise<ServerLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`${this.userId}: no matching message within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const stop = this.listen((message) => {
        if (!matches(message)) return;
        clearTimeout(timer);
        stop();
        resolve(message);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      this.ws.once('close', () => { resolve(); });
      this.ws.close(1000, 'bench done');
    });
  }
}
