import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freeUdpRange, freeUdpTcpPort } from './free-ports';

/*
 * Debian's coturn (`turnserver`) on loopback, for relay-only calls: a real TURN server that checks
 * the REST-API credentials (use-auth-secret) the Sealcall server hands out, and relays media
 * between two relay addresses on 127.0.0.1.
 */

export const TURNSERVER = '/usr/bin/turnserver';

export interface Coturn {
  /** The URL the Sealcall server hands to clients (`--turn-url`). */
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface CoturnOptions {
  /** coturn's static-auth-secret: the Sealcall server's TURN secret, or a wrong one in a negative test. */
  secret: string;
  /** Where coturn writes its log and its (unused) user database: the test's output dir. */
  dir: string;
}

/** Why coturn cannot run here, or undefined when it can. */
export function coturnMissingReason(): string | undefined {
  const probe = spawnSync(TURNSERVER, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `${TURNSERVER} not found: install Debian's coturn (apt-get install -y coturn; .ci/run does)`;
  return undefined;
}

/** The flags that make coturn relay between loopback peers with REST-API auth and nothing else. */
export function coturnArgs(port: number, relayPorts: { min: number; max: number }, options: CoturnOptions): string[] {
  return [
    // No /etc/turnserver.conf: every setting is here.
    '-c',
    '/dev/null',
    '--listening-ip',
    '127.0.0.1',
    '--relay-ip',
    '127.0.0.1',
    '--listening-port',
    String(port),
    '--min-port',
    String(relayPorts.min),
    '--max-port',
    String(relayPorts.max),
    // Both relay addresses are 127.0.0.1: coturn refuses loopback peers unless told otherwise.
    '--allow-loopback-peers',
    '--realm',
    'sealcall.test',
    '--use-auth-secret',
    '--static-auth-secret',
    options.secret,
    '--fingerprint',
    // Clients are handed `transport=udp` only: a TCP listener or TCP relays would be ports to
    // collide on and nothing to test.
    '--no-tcp',
    '--no-tcp-relay',
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    '--no-rfc5780',
    '--no-stdout-log',
    '--simple-log',
    '--log-file',
    path.join(options.dir, 'turnserver.log'),
    '--userdb',
    path.join(options.dir, 'turndb'),
    '--pidfile',
    path.join(options.dir, 'turnserver.pid'),
    '--verbose',
  ];
}

/** How many times a start is tried on fresh ports: another process may take a port between our check and coturn's bind. */
const START_ATTEMPTS = 3;

export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  mkdirSync(options.dir, { recursive: true });
  const failures: string[] = [];
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    // A relay range of its own, then a listening port outside it, both above the ephemeral range.
    const relayPorts = await freeUdpRange(100);
    let port = await freeUdpTcpPort();
    while (port >= relayPorts.min && port <= relayPorts.max) port = await freeUdpTcpPort();
    try {
      return await launchCoturn(port, relayPorts, options);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`coturn did not start in ${START_ATTEMPTS} attempts:\n${failures.join('\n')}`);
}

/** One try on the given ports; startCoturn picks them and retries. */
export async function launchCoturn(port: number, relayPorts: { min: number; max: number }, options: CoturnOptions): Promise<Coturn> {
  const child = spawn(TURNSERVER, coturnArgs(port, relayPorts, options), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => { resolve(); }));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${TURNSERVER}`);
  try {
    await waitForBindingResponse(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`coturn did not answer on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}\n${stderr}`, { cause: error });
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    logFile: path.join(options.dir, 'turnserver.log'),
    pid,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
        const force = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
        await exited;
        clearTimeout(force);
      })();
      return stopping;
    },
  };
}

/** A STUN Binding request (RFC 8489): type 0x0001, no attributes, the magic cookie, a transaction id. */
function bindingRequest(): Buffer {
  const message = Buffer.alloc(20);
  message.writeUInt16BE(0x0001, 0);
  message.writeUInt16BE(0, 2);
  message.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(message, 8);
  return message;
}

/** Ready means answering STUN, not just running: asks until a Binding success response comes back. */
async function waitForBindingResponse(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => { reject(new Error(`no STUN answer within ${timeoutMs} ms`)); }, timeoutMs);
      const ask = setInterval(() => { socket.send(bindingRequest(), port, '127.0.0.1'); }, 100);
      const finish = (error?: Error) => {
        clearTimeout(deadline);
        clearInterval(ask);
        if (error === undefined) resolve();
        else reject(error);
      };
      child.once('exit', (code) => { finish(new Error(`turnserver exited with ${code}`)); });
      socket.on('message', (reply) => {
        if (reply.length >= 20 && reply.readUInt16BE(0) === 0x0101) finish();
      });
      socket.on('error', () => undefined);
    });
  } finally {
    socket.close();
  }
}
