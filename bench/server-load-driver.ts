/**
 * Load driver for the server benchmark's idle sockets, run as its own process so the server's
 * memory is measured alone. It opens `count` WebSockets to a loopback server (offering the current
 * protocol's subprotocol), holds each at its challenge without answering, then idles: `ws` answers
 * every ping, so the sockets stay heartbeating. It reports progress as JSON lines on stdout and
 * closes everything when stdin closes.
 *
 * Usage (the bench spawns it): node --import tsx bench/server-load-driver.ts '<json options>'
 */
import { WebSocket } from 'ws';
import { SUBPROTOCOL } from './bench-client';

export interface DriverOptions {
  url: string;
  count: number;
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
    const localAddress = options.localAddresses[index % options.localAddresses.length];
    const ws = new WebSocket(options.url, [SUBPROTOCOL], { localAddress, perMessageDeflate: false });
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
      settle(data.includes('"type":"hello"'));
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
