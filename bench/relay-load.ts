/**
 * Relay latency and throughput: caller/callee pairs send messages first at a steady rate, then
 * with a window of messages in flight per pair as fast as the relay delivers. Two kinds of
 * traffic: call set-up churn (`call.invite` and its `call.cancel` in turn, both relayed, invites
 * timed from send to arrival; every message creates or ends a call on the server) and calls in
 * progress (`call.signal` ICE candidates from caller to callee in an accepted call, each timed).
 * Callers and callees may sit on different servers (the cluster run) or on the same one.
 */
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { toBase64Url } from '../shared/crypto/bytes';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { sleep } from './bench-process';
import { percentile } from './bench-stats';

export interface RelayClient {
  ws: WebSocket;
  id: string;
}

export interface RelayRun {
  /** Opens user `index` as a caller (on `side` 'caller') or a callee. */
  connect: (index: number, side: 'caller' | 'callee') => Promise<RelayClient>;
  pairs: number;
  firstIndex: number;
  /** Relayed messages a second in the latency run. */
  rate: number;
  seconds: number;
  throughputSeconds: number;
  /** A server whose /metrics relay histogram gives the time inside the server. */
  histogramUrl?: string;
  /** 'setup': invites and cancels (the default); 'in-call': signals within accepted calls. */
  traffic?: 'setup' | 'in-call';
}

export interface RelayResult {
  /** Server-internal p99 (arrival to hand-off), as a histogram bucket bound. */
  serverP99?: number;
  p50: number;
  p99: number;
  max: number;
  sent: number;
  received: number;
  throughput: number;
  errors: number;
}

const AKE = { commitment: toBase64Url(new Uint8Array(32).fill(1)), signature: toBase64Url(new Uint8Array(64).fill(2)) };

interface Pair {
  caller: RelayClient;
  callee: RelayClient;
  serial: number;
  inCall: string | undefined;
}

const newCallId = (pair: Pair) => `${pair.caller.id}-${String(pair.serial++).padStart(12, '0')}`.replace(/[^A-Za-z0-9_-]/g, '_').padEnd(22, '_');
const invite = (pair: Pair, callId: string) =>
  JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.invite', callId, to: pair.callee.id, media: { audio: true, video: true }, ake: AKE });
const REVEAL = { ephemeralKey: toBase64Url(new Uint8Array(32).fill(3)), fingerprint: `sha-256 ${Array(32).fill('AB').join(':')}`, signature: toBase64Url(new Uint8Array(64).fill(4)) };

/**
 * The next message a pair sends, and the key its arrival is timed by (undefined: relayed and
 * counted, not timed). Set-up churn: an invite, then its cancel. In a call: a signal carrying its
 * serial in the candidate line.
 */
function nextMessage(pair: Pair, traffic: 'setup' | 'in-call'): { text: string; key: string | undefined } {
  if (traffic === 'in-call') {
    const callId = pair.inCall ?? '';
    const serial = pair.serial++;
    const candidate = { candidate: `candidate:${String(serial)} 1 udp 2122260223 192.0.2.1 5000 typ host`, sdpMLineIndex: 0, sdpMid: '0' };
    return { key: `${callId}:${String(serial)}`, text: JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.signal', callId, to: pair.callee.id, data: { type: 'candidate', candidate } }) };
  }
  if (pair.inCall === undefined) {
    const callId = newCallId(pair);
    pair.inCall = callId;
    return { key: callId, text: invite(pair, callId) };
  }
  const callId = pair.inCall;
  pair.inCall = undefined;
  return { key: undefined, text: JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.cancel', callId, to: pair.callee.id }) };
}

/** The timing key of a relayed message that `nextMessage` made, or undefined if it is not one. */
function arrivalKey(message: { type: string; callId?: string; data?: { candidate?: { candidate?: string } } }): string | undefined {
  if (message.type === 'call.invite') return message.callId;
  if (message.type === 'call.signal') return `${message.callId ?? ''}:${/^candidate:(\d+) /.exec(message.data?.candidate?.candidate ?? '')?.[1] ?? ''}`;
  return undefined;
}

/** Puts every pair in an accepted call (invite, accept), for signals to have a call to go in. */
async function acceptCalls(pairs: readonly Pair[]): Promise<void> {
  await Promise.all(
    pairs.map(
      (pair) =>
        new Promise<void>((resolve, reject) => {
          const callId = newCallId(pair);
          pair.inCall = callId;
          const timer = setTimeout(() => { reject(new Error(`relay: call ${callId} not accepted within 10 s`)); }, 10_000);
          const onCallee = (data: Buffer) => {
            if (!data.includes('"type":"call.invite"')) return;
            pair.callee.ws.off('message', onCallee);
            pair.callee.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.accept', callId, to: pair.caller.id, media: { audio: true, video: true }, ake: REVEAL }));
          };
          const onCaller = (data: Buffer) => {
            if (!data.includes('"type":"call.accept"')) return;
            pair.caller.ws.off('message', onCaller);
            clearTimeout(timer);
            resolve();
          };
          pair.callee.ws.on('message', onCallee);
          pair.caller.ws.on('message', onCaller);
          pair.caller.ws.send(invite(pair, callId));
        }),
    ),
  );
}

/** Cumulative counts of the server's relay-latency histogram, by upper bound in seconds. */
async function relayHistogram(httpUrl: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const match of text.matchAll(/^sealcall_relay_latency_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** The smallest bucket bound that holds `p` percent of what was observed between two scrapes. */
function histogramPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const [bound, count] of [...after.entries()].sort(([a], [b]) => a - b)) {
    if (count - (before.get(bound) ?? 0) >= (p / 100) * total) return bound * 1000;
  }
  return Infinity;
}

export async function measureRelay(run: RelayRun): Promise<RelayResult> {
  const { rate } = run;
  const traffic = run.traffic ?? 'setup';
  const pairs: Pair[] = await Promise.all(
    Array.from({ length: run.pairs }, async (_, n) => ({
      caller: await run.connect(run.firstIndex + 2 * n, 'caller'),
      callee: await run.connect(run.firstIndex + 2 * n + 1, 'callee'),
      serial: 0,
      inCall: undefined,
    })),
  );
  const clients = pairs.flatMap((pair) => [pair.caller, pair.callee]);
  if (traffic === 'in-call') await acceptCalls(pairs);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let errors = 0;
  let outstanding = 0;
  for (const client of clients) {
    client.ws.on('message', (data: Buffer) => {
      // Anything but call traffic is the server's own business: skip it unparsed, so the
      // measuring client does not add its own queueing to the figures.
      if (!data.includes('"type":"call.') && !data.includes('"type":"error"')) return;
      const message = JSON.parse(data.toString('utf8')) as Parameters<typeof arrivalKey>[0];
      if (message.type === 'error') {
        errors += 1;
        return;
      }
      const key = arrivalKey(message);
      const at = key === undefined ? undefined : sentAt.get(key);
      if (key !== undefined && at !== undefined) {
        latencies.push(performance.now() - at);
        sentAt.delete(key);
      }
      if (message.type === 'call.invite' || message.type === 'call.cancel' || message.type === 'call.signal') {
        received += 1;
        outstanding -= 1;
      }
    });
  }
  const send = (pair: Pair) => {
    const message = nextMessage(pair, traffic);
    if (message.key !== undefined) sentAt.set(message.key, performance.now());
    outstanding += 1;
    pair.caller.ws.send(message.text);
  };

  // Warm-up, then a steady rate: a 1 ms tick sends whatever the schedule says is due.
  let sent = 0;
  let cursor = 0;
  const steady = async (durationMs: number, record: boolean) => {
    const start = performance.now();
    const base = sent;
    while (performance.now() - start < durationMs) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate) - (sent - base);
      for (let i = 0; i < due; i++) {
        const pair = pairs[cursor++ % pairs.length];
        if (pair) send(pair);
        sent += 1;
      }
      await sleep(1);
    }
    if (!record) latencies.length = 0;
  };
  await steady(2000, false);
  const receivedBefore = received;
  const histogramBefore = run.histogramUrl === undefined ? undefined : await relayHistogram(run.histogramUrl);
  await steady(run.seconds * 1000, true);
  const serverP99 = run.histogramUrl !== undefined && histogramBefore ? histogramPercentile(histogramBefore, await relayHistogram(run.histogramUrl), 99) : undefined;
  await sleep(200);
  const steadyReceived = received - receivedBefore;
  // Only the steady run's latencies: the throughput run below saturates the relay on purpose.
  const steadyLatencies = latencies.slice();

  // Throughput: every pair keeps a window of messages in flight, as fast as the relay delivers.
  const WINDOW = 8;
  const tStart = performance.now();
  const tReceivedBefore = received;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (performance.now() - tStart > run.throughputSeconds * 1000) {
        resolve();
        return;
      }
      while (outstanding < WINDOW * pairs.length) {
        const pair = pairs[cursor++ % pairs.length];
        if (pair) send(pair);
      }
      setImmediate(pump);
    };
    pump();
  });
  const throughput = (received - tReceivedBefore) / ((performance.now() - tStart) / 1000);
  for (const client of clients) client.ws.terminate();
  return {
    p50: percentile(steadyLatencies, 50),
    p99: percentile(steadyLatencies, 99),
    max: steadyLatencies.reduce((most, latency) => Math.max(most, latency), 0),
    sent,
    received: steadyReceived,
    throughput,
    errors,
    ...(serverP99 === undefined ? {} : { serverP99 }),
  };
}
