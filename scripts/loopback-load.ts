/**
 * `npx tsx scripts/loopback-load.ts [--connections 4000] [--tcp-churn 100] [--udp-churn 500] [--udp-held 500] [--seconds 0]`
 *
 * Another process on the machine, as a busy laptop or CI runner has them: it opens and holds
 * thousands of loopback TCP connections, closes and reopens some every second (new ephemeral
 * ports), and binds, uses and closes UDP ports with port 0 all the time. Run it alongside the e2e
 * suite: every port the harness picks must survive it. Ctrl+C (or --seconds) stops it and closes
 * everything it opened.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '4000' },
    'tcp-churn': { type: 'string', default: '100' },
    'udp-churn': { type: 'string', default: '500' },
    'udp-held': { type: 'string', default: '500' },
    seconds: { type: 'string', default: '0' },
  },
});

function count(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a whole number, not ${values[name]}`);
    process.exit(2);
  }
  return value;
}

const target = count('connections');
const tcpChurnPerSecond = count('tcp-churn');
const udpChurnPerSecond = count('udp-churn');
const udpHeldTarget = count('udp-held');
const seconds = count('seconds');

/** Connections are opened in batches so the listen backlog never overflows. */
const BATCH = 200;
const TICKS_PER_SECOND = 10;

const accepted = new Set<Socket>();
const server = createServer((socket) => {
  accepted.add(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => accepted.delete(socket));
});
server.on('error', (error) => {
  console.error(`loopback-load: listener failed: ${error.message}`);
  process.exit(1);
});

const clients = new Set<Socket>();
const udpHeld: UdpSocket[] = [];
const stats = { tcpOpened: 0, tcpFailed: 0, udpBound: 0, udpFailed: 0 };
let stopping = false;

function openClient(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('connect', () => {
      stats.tcpOpened += 1;
      clients.add(socket);
      resolve();
    });
    socket.on('error', () => {
      stats.tcpFailed += 1;
      resolve();
    });
    socket.on('close', () => clients.delete(socket));
  });
}

/** Binds a UDP port with port 0, sends itself one datagram, and closes or keeps it. */
function churnUdp(keep: boolean): void {
  const socket = createSocket('udp4');
  socket.on('error', () => {
    stats.udpFailed += 1;
    socket.close();
  });
  socket.bind(0, '127.0.0.1', () => {
    stats.udpBound += 1;
    socket.send(Buffer.from('load'), socket.address().port, '127.0.0.1', () => {
      if (keep && !stopping) udpHeld.push(socket);
      else socket.close();
    });
  });
}

function spread(perSecond: number, tick: number): number {
  return Math.floor((perSecond * (tick + 1)) / TICKS_PER_SECOND) - Math.floor((perSecond * tick) / TICKS_PER_SECOND);
}

async function main(): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no listening address');
  const port = address.port;

  while (clients.size < target && !stopping) {
    const wanted = Math.min(BATCH, target - clients.size);
    const before = stats.tcpFailed;
    await Promise.all(Array.from({ length: wanted }, () => openClient(port)));
    if (stats.tcpFailed - before === wanted) throw new Error(`every connection of a batch failed (held ${clients.size}): raise ulimit -n?`);
  }
  console.log(`loopback-load: holding ${clients.size} TCP connections to 127.0.0.1:${port}; churning ${tcpChurnPerSecond} TCP/s, ${udpChurnPerSecond} UDP ports/s, holding ${udpHeldTarget} UDP ports`);

  let tick = 0;
  const churn = setInterval(() => {
    const slot = tick % TICKS_PER_SECOND;
    tick += 1;
    // TCP: close the oldest few, open as many: their ports go back to the pool and new ones are taken.
    const closing = [...clients].slice(0, spread(tcpChurnPerSecond, slot));
    for (const socket of closing) socket.destroy();
    for (let index = 0; index < closing.length; index += 1) void openClient(port);
    // UDP: a pool of held ports turns over, and more are bound and closed at once.
    const fresh = spread(udpChurnPerSecond, slot);
    for (let index = 0; index < fresh; index += 1) {
      if (udpHeld.length >= udpHeldTarget) udpHeld.shift()?.close();
      churnUdp(udpHeldTarget > 0);
    }
  }, 1000 / TICKS_PER_SECOND);

  const report = setInterval(() => {
    console.log(
      `loopback-load: ${clients.size} TCP held (${stats.tcpOpened} opened, ${stats.tcpFailed} failed), ${udpHeld.length} UDP held (${stats.udpBound} bound, ${stats.udpFailed} failed)`,
    );
  }, 5_000);

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(churn);
    clearInterval(report);
    for (const socket of clients) socket.destroy();
    for (const socket of accepted) socket.destroy();
    for (const socket of udpHeld.splice(0)) socket.close();
    server.close(() => {
      console.log('loopback-load: stopped, everything closed');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (seconds > 0) setTimeout(stop, seconds * 1000).unref();
}

main().catch((error: unknown) => {
  console.error(`loopback-load: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
