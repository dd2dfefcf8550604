/**
 * Relay latency and throughput: caller/callee pairs send `call.invite` and its `call.cancel` in
 * turn (both relayed; invites timed from send to arrival), first at a steady rate, then with a
 * window of messages in flight per pair as fast as the relay delivers. Callers and callees may sit
 * on different servers (the cluster run) or on the same one.
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

/** Messages a pair sends in turn: an invite, then its cancel. Both are relayed; invites are timed. */
function nextMessage(pair: Pair): { text: string; callId: string; invite: boolean } {
  if (pair.inCall === undefined) {
    const callId = `${pair.caller.id}-${String(pair.serial++).padStart(12, '0')}`.replace(/[^A-Za-z0-9_-]/g, '_').padEnd(22, '_');
    pair.inCall = callId;
    return {
      callId,
      invite: true,
      text: JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.invite', callId, to: pair.callee.id, media: { audio: true, video: true }, ake: AKE }),
    };
  }
  const callId = pair.inCall;
  pair.inCall = undefined;
  return { callId, invite: false, text: JSON.stringify({ v: PROTOCOL_VERSION, type: 'call.cancel', callId, to: pair.callee.id }) };
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
  const pairs: Pair[] = await Promise.all(
    Array.from({ length: run.pairs }, async (_, n) => ({
      caller: await run.connect(run.firstIndex + 2 * n, 'caller'),
      callee: await run.connect(run.firstIndex + 2 * n + 1, 'callee'),
      serial: 0,
      inCall: undefined,
    })),
  );
  const clients = pairs.flatMap((pair) => [pair.caller, pair.callee]);
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
      const message = JSON.parse(data.toString('utf8')) as { type: string; callId?: string };
      if (message.type === 'error') {
        errors += 1;
        return;
      }
      if (message.type === 'call.invite' && message.callId !== undefined) {
        const at = sentAt.get(message.callId);
        if (at !== undefined) latencies.push(performance.now() - at);
        sentAt.delete(message.callId);
      }
      if (message.type === 'call.invite' || message.type === 'call.cancel') {
        received += 1;
        outstanding -= 1;
      }
    });
  }
  const send = (pair: Pair) => {
    const message = nextMessage(pair);
    if (message.invite) sentAt.set(message.callId, performance.now());
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
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    sent,
    received: steadyReceived,
    throughput,
    errors,
    ...(serverP99 === undefined ? {} : { serverP99 }),
  };
}
