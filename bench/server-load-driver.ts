/**
 * Load driver for the server benchmark, run as its own process so the server's memory and CPU are
 * measured alone. It opens `count` WebSockets to a loopback server, answers each challenge as a
 * distinct enrolled user (or only holds the challenge, with `authenticate: false`), then idles:
 * `ws` answers every ping, so the sockets stay heartbeating. It reports progress as JSON lines on
 * stdout and closes everything when stdin closes.
 *
 * Usage (the bench spawns it): node --import tsx bench/server-load-driver.ts '<json options>'
 */
import { WebSocket } from 'ws';
import { fromBase64Url, toBase64Url } from '../shared/crypto/bytes';
import { signAuthChallenge } from '../shared/crypto/server-auth';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { benchKeys, benchUserId } from './server-bench-keys';

export interface DriverOptions {
  url: string;
  first: number;
  count: number;
  seed: string;
  authenticate: boolean;
  /** Loopback source addresses to spread connections over (more ephemeral ports). */
  localAddresses: string[];
  concurrency: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as DriverOptions;
if (!/^ws:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?\//.test(options.url)) {
  throw new Error('the load driver only ever talks to loopback');
}

const sockets: WebSocket[] = [];
let ready = 0;
let failed = 0;
let bytesReceived = 0;
let next = 0;

function report(type: string): void {
  process.stdout.write(`${JSON.stringify({ type, ready, failed, bytesReceived })}\n`);
}

function open(index: number): Promise<void> {
  return new Promise((resolve) => {
    const userId = benchUserId(options.first + index);
    const localAddress = options.localAddresses[index % options.localAddresses.length];
    const ws = new WebSocket(options.url, { localAddress, perMessageDeflate: false });
    sockets.push(ws);
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      if (ok) ready += 1;
      else failed += 1;
      resolve();
    };
    ws.on('error', () => {
      settle(false);
    });
    ws.on('close', () => {
      settle(false);
    });
    ws.on('message', (data: Buffer) => {
      bytesReceived += data.length;
      if (settled) return;
      const text = data.toString('utf8');
      if (text.includes('"type":"hello"')) {
        if (!options.authenticate) {
          settle(true);
          return;
        }
        const hello = JSON.parse(text) as { serverUrl: string; nonce: string };
        void benchKeys(options.seed, options.first + index)
          .then((keys) => signAuthChallenge(keys.secretKey, hello.serverUrl, userId, fromBase64Url(hello.nonce)))
          .then((signature) => {
            ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'auth', userId, signature: toBase64Url(signature) }));
          });
      } else if (text.includes('"type":"welcome"')) {
        settle(true);
      } else if (text.includes('"type":"error"')) {
        settle(false);
      }
    });
  });
}

async function pump(): Promise<void> {
  while (next < options.count) {
    const index = next++;
    await open(index);
  }
}

const progress = setInterval(() => {
  report('progress');
}, 1000);
await Promise.all(Array.from({ length: options.concurrency }, () => pump()));
clearInterval(progress);
report('ready');

process.stdin.resume();
process.stdin.on('end', () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
