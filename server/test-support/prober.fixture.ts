/*
 * The prober: replays the attacks of issue 12 (items 1 to 5) against a real server process, from
 * the outside: admin actions through the CLI's own process, everything else through sockets and
 * the shared protocol. No server module is called to drive or inspect the server, so it checks
 * what the server does, not what its code says it does. Each probe reports what it measured;
 * server/prober.test.ts holds the verdicts.
 *
 * Every probe speaks from its own random loopback addresses (Linux routes all of 127/8 to lo), so
 * other processes opening many connections from 127.0.0.1 cannot spend its per-address budgets.
 */
import { connect, type Socket } from 'node:net';
import { toBase64Url } from '../../shared/crypto/bytes';
import { generateIdentityKeyPair, type IdentityKeyPair } from '../../shared/crypto/identity';
import { PROTOCOL_VERSION, subprotocolFor } from '../../shared/protocol';
import { TestClient, randomCallId, runCli, type ServerProcess } from './harness.fixture';
import { randomLoopbackAddress } from './hostile-client.fixture';

const v = PROTOCOL_VERSION;
const b64 = (length: number) => toBase64Url(new Uint8Array(length).fill(3));
const fingerprint = `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`;

export interface ProbeUser {
  userId: string;
  keys: IdentityKeyPair;
}

/** Invites with the admin CLI, enrolls from a fresh address, and returns the signed-in client. */
export async function enrollWithCli(server: ServerProcess, userId: string): Promise<ProbeUser & { client: TestClient }> {
  const invite = await runCli(['invite', userId, '--name', userId, '--data-dir', server.dataDir]);
  if (invite.code !== 0) throw new Error(`invite ${userId} failed: ${invite.stderr}`);
  const code = new URL(invite.stdout.trim()).searchParams.get('code') ?? '';
  const keys = await generateIdentityKeyPair();
  const client = await TestClient.connect(server.wsUrl, { localAddress: randomLoopbackAddress() });
  await client.enroll(code, keys);
  await client.next('welcome');
  return { userId, keys, client };
}

export async function signInFrom(server: ServerProcess, user: ProbeUser, localAddress = randomLoopbackAddress()): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl, { localAddress });
  await client.auth(user.userId, user.keys);
  await client.next('welcome');
  return client;
}

export async function healthy(server: ServerProcess): Promise<boolean> {
  try {
    return (await fetch(`${server.httpUrl}/healthz`, { signal: AbortSignal.timeout(5000) })).status === 200;
  } catch {
    return false;
  }
}

/**
 * Item 1: inside an accepted call, a call.signal whose transceiverRequest nests 5 000 deep. The
 * server used to relay it into a JSON.stringify that overflowed the stack and took the process down.
 */
export async function probeDeepSignal(server: ServerProcess, caller: ProbeUser & { client: TestClient }, callee: ProbeUser & { client: TestClient }) {
  const callId = randomCallId();
  caller.client.send({ v, type: 'call.invite', callId, to: callee.userId, media: { audio: true, video: false }, ake: { commitment: b64(32), signature: b64(64) } });
  await callee.client.next('call.invite');
  callee.client.send({ v, type: 'call.accept', callId, to: caller.userId, media: { audio: true, video: false }, ake: { ephemeralKey: b64(32), fingerprint, signature: b64(64) } });
  await caller.client.next('call.accept');
  const depth = 5000;
  const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  caller.client.send(
    `{"v":1,"type":"call.signal","id":"deep","callId":"${callId}","to":"${callee.userId}","data":{"transceiverRequest":{"kind":"video","init":${nested}}}}`,
  );
  const answer = await caller.client.error(undefined, 5000).catch(() => undefined);
  // The call and both connections go on: a signal sent after it still arrives.
  caller.client.send({ v, type: 'call.signal', callId, to: callee.userId, data: { renegotiate: true } });
  const relayedAfter = await callee.client.next('call.signal', () => true, 5000).then(() => true, () => false);
  return { answerCode: answer?.code, answerMessage: answer?.message, relayedAfter, alive: server.child.exitCode === null && (await healthy(server)) };
}

/**
 * Item 2: one address opens more sockets than its share and leaves them waiting; then a user on
 * another address logs in. It used to get server-busy until the waiting sockets timed out.
 */
export async function probeAddressStarvation(server: ServerProcess, user: ProbeUser, sockets: number) {
  const attacker = randomLoopbackAddress();
  const opened = await Promise.all(
    Array.from({ length: sockets }, () => TestClient.connect(server.wsUrl, { localAddress: attacker, expectHello: false }).catch(() => undefined)),
  );
  const clients = opened.filter((client): client is TestClient => client !== undefined);
  // Each socket's first message is either hello or a server-busy refusal.
  const firsts = await Promise.all(
    clients.map(async (client) => {
      const first = await Promise.race([client.next('hello', () => true, 5000).then(() => 'hello'), client.error('server-busy', 5000).then(() => 'server-busy')]).catch(() => 'nothing');
      return first;
    }),
  );
  /** 'welcome', or what went wrong. */
  let login: string;
  try {
    const client = await signInFrom(server, user);
    login = 'welcome';
    client.close();
  } catch (error) {
    login = error instanceof Error ? error.message.slice(0, 200) : String(error);
  }
  for (const client of clients) client.close();
  return {
    waiting: firsts.filter((first) => first === 'hello').length,
    refused: firsts.filter((first) => first === 'server-busy').length,
    // Closed before the upgrade: the address already held its share of fresh TCP connections.
    cut: opened.length - clients.length,
    login,
  };
}

/**
 * Item 3: guesses enrollment codes from one address as fast as the server answers. Returns the
 * error code of each guess in order.
 */
export async function probeCodeGuessing(server: ServerProcess, guesses: number) {
  const address = randomLoopbackAddress();
  const keys = await generateIdentityKeyPair();
  const codes: string[] = [];
  for (let i = 0; i < guesses; i++) {
    const client = await TestClient.connect(server.wsUrl, { localAddress: address });
    await client.enroll(toBase64Url(crypto.getRandomValues(new Uint8Array(32))), keys);
    codes.push((await client.error(undefined, 5000)).code);
    await client.closed;
  }
  // Another address is not affected by this one's failures.
  const other = await TestClient.connect(server.wsUrl, { localAddress: randomLoopbackAddress() });
  await other.enroll(toBase64Url(crypto.getRandomValues(new Uint8Array(32))), keys);
  const otherCode = (await other.error(undefined, 5000)).code;
  return { codes, otherCode };
}

type Behaviour = 'silent' | 'drip-headers' | 'drip-frame';

/**
 * Item 4: how long the server keeps a socket that never authenticates: one that says nothing,
 * one that drips its HTTP headers, and one that upgrades and then drips a WebSocket frame. Gives
 * up (Infinity) after `giveUpMs`.
 */
export async function socketLifetime(server: ServerProcess, behaviour: Behaviour, giveUpMs: number): Promise<number> {
  const socket = connect({ host: '127.0.0.1', port: server.port, localAddress: randomLoopbackAddress() });
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => { resolve(); });
    socket.once('error', reject);
  });
  const started = performance.now();
  const drip = behaviour === 'silent' ? undefined : dripper(socket, behaviour);
  const lifetime = await new Promise<number>((resolve) => {
    const timer = setTimeout(() => { resolve(Number.POSITIVE_INFINITY); }, giveUpMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
  });
  clearInterval(drip);
  socket.destroy();
  return lifetime;
}

/**
 * Item 4, the descriptors: one address opens `sockets` TCP connections and says nothing on any.
 * Returns how many the server closed within `withinMs` (well before the auth timeout).
 */
export async function probeSilentFlood(server: ServerProcess, sockets: number, withinMs: number): Promise<{ closedEarly: number; held: Socket[] }> {
  const address = randomLoopbackAddress();
  let closedEarly = 0;
  const held = await Promise.all(
    Array.from({ length: sockets }, () =>
      new Promise<Socket>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: server.port, localAddress: address });
        socket.on('error', () => undefined);
        const opened = performance.now();
        socket.once('close', () => {
          if (performance.now() - opened < withinMs) closedEarly += 1;
        });
        socket.once('connect', () => { resolve(socket); });
        socket.once('close', () => { resolve(socket); });
      }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, withinMs));
  return { closedEarly, held };
}

function dripper(socket: Socket, behaviour: Exclude<Behaviour, 'silent'>): NodeJS.Timeout {
  const request = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${subprotocolFor(PROTOCOL_VERSION)}\r\nSec-WebSocket-Key: ${toBase64Url(new Uint8Array(16)).padEnd(22, 'A')}==\r\n`;
  // A masked text frame that announces 100 bytes, sent one byte at a time, never finished.
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4]), Buffer.alloc(100, 0x20)]);
  let sent = 0;
  // Headers are dripped after a valid request line; a frame after a complete upgrade.
  socket.write(behaviour === 'drip-frame' ? `${request}\r\n` : 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  return setInterval(() => {
    if (behaviour === 'drip-headers') socket.write(`X-Drip-${sent++}: x\r\n`);
    else if (sent < frame.length) socket.write(frame.subarray(sent, ++sent));
  }, 200);
}

/**
 * Item 5: a burst of full directory.syncs on one connection; counts the bytes the client sent and
 * the bytes the server answered with.
 */
export async function probeDirectoryAmplification(server: ServerProcess, user: ProbeUser, requests: number) {
  const client = await signInFrom(server, user);
  let bytesOut = 0;
  client.ws.on('message', (data: Buffer) => (bytesOut += data.length));
  let bytesIn = 0;
  for (let i = 0; i < requests; i++) {
    const text = JSON.stringify({ v, type: 'directory.sync', id: `d${i}` });
    bytesIn += Buffer.byteLength(text);
    client.send(text);
  }
  // Every request gets an answer: a full copy, or a refusal.
  const deadline = Date.now() + 5000;
  const answered = () => client.received.filter((m) => m.type === 'directory.delta' || (m.type === 'error' && m.ref?.startsWith('d') === true)).length;
  while (answered() < requests && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const directories = client.received.filter((m) => m.type === 'directory.delta').length;
  const directoryBytes = JSON.stringify(client.received.find((m) => m.type === 'directory.delta')).length;
  client.close();
  return { bytesIn, bytesOut, directories, directoryBytes };
}
