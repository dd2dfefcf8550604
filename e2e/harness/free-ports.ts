import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/*
 * Ports for things the harness starts and must find again (coturn, a server that restarts on its
 * own port). Two ways such a port goes wrong on a busy machine: a port free on UDP may be taken on
 * TCP (coturn listens on both), and a port from the ephemeral range may be handed, between our
 * check and the program's bind, to any of the thousands of sockets other processes connect or
 * bind with port 0. So ports come from above the ephemeral range where there is room, and are
 * checked on both transports; whoever binds them still retries on failure, since another process
 * can always take a port between a check and a bind.
 */

/** Linux's range for connect() and bind(0); elsewhere, IANA's dynamic range. */
export function ephemeralRange(): { min: number; max: number } {
  try {
    const [min, max] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (min !== undefined && max !== undefined && Number.isInteger(min) && Number.isInteger(max)) return { min, max };
  } catch {
    // Not Linux.
  }
  return { min: 49_152, max: 65_535 };
}

/** The ports above the ephemeral range, which only an explicit bind takes. */
function quietRange(): { min: number; max: number } | undefined {
  const { max } = ephemeralRange();
  return max + 1 <= 65_535 - 500 ? { min: max + 1, max: 65_535 } : undefined;
}

/** Whether 127.0.0.1:`port` binds right now on TCP; `port` 0 takes any, and the answer says which. */
function bindTcp(port: number): Promise<{ port: number; release(): Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => { resolve(undefined); });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({ port: bound, release: () => new Promise<void>((done) => { server.close(() => { done(); }); }) });
    });
  });
}

function bindUdp(port: number): Promise<{ release(): Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => {
      resolve({ release: () => new Promise<void>((done) => { socket.close(() => { done(); }); }) });
    });
  });
}

/** Whether each port binds on UDP, and (with `tcp`) on TCP too, all at once. */
async function allFree(ports: readonly number[], tcp: boolean): Promise<boolean> {
  const held: { release(): Promise<void> }[] = [];
  try {
    for (const port of ports) {
      const udp = await bindUdp(port);
      if (udp === undefined) return false;
      held.push(udp);
      if (!tcp) continue;
      const stream = await bindTcp(port);
      if (stream === undefined) return false;
      held.push(stream);
    }
    return true;
  } finally {
    await Promise.all(held.map((socket) => socket.release()));
  }
}

function randomIn(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** A loopback port free on both UDP and TCP, above the ephemeral range when there is one. */
export async function freeUdpTcpPort(): Promise<number> {
  const quiet = quietRange();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (quiet !== undefined) {
      const port = randomIn(quiet.min, quiet.max);
      if (await allFree([port], true)) return port;
      continue;
    }
    const tcp = await bindTcp(0);
    if (tcp === undefined) continue;
    await tcp.release();
    if (await allFree([tcp.port], true)) return tcp.port;
  }
  throw new Error('no loopback port free on both UDP and TCP after 50 tries');
}

/** A loopback port free on TCP, above the ephemeral range when there is one: for a server that must restart on it. */
export async function freeTcpPort(): Promise<number> {
  const quiet = quietRange();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const candidate = quiet === undefined ? 0 : randomIn(quiet.min, quiet.max);
    const bound = await bindTcp(candidate);
    if (bound === undefined) continue;
    await bound.release();
    return bound.port;
  }
  throw new Error('no loopback TCP port free after 50 tries');
}

/**
 * `size` consecutive loopback ports, each free on UDP, for a relay's allocations: above the
 * ephemeral range, so that other processes' bind(0)s cannot take them while the test runs.
 */
export async function freeUdpRange(size: number): Promise<{ min: number; max: number }> {
  const quiet = quietRange() ?? { min: 61_000, max: 65_535 };
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const min = randomIn(quiet.min, quiet.max - size + 1);
    const ports = Array.from({ length: size }, (_, index) => min + index);
    if (await allFree(ports, false)) return { min, max: min + size - 1 };
  }
  throw new Error(`no ${size} consecutive loopback UDP ports free after 50 tries`);
}
