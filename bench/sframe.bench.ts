/**
 * Per-frame SFrame cost against the floor of one raw ChaCha20-Poly1305 call through libsodium's
 * own wrapper, in one run so both see the same machine; WebCrypto's AES-GCM (the RFC's suite,
 * which media used before) alongside for comparison. Run directly: `npx tsx bench/sframe.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { deriveSFrameSecret, sframeDecrypt, SFrameSender } from '../shared/crypto/sframe';
import { loadSodium } from '../shared/crypto/sodium';

import { printWhenRunDirectly, type BenchSection } from './bench-section';

interface SizeCase {
  readonly label: string;
  readonly bytes: number;
  /** Frames per round and operation, fewer for large frames so every round takes a similar time. */
  readonly iterations: number;
}

const SIZES: readonly SizeCase[] = [
  { label: '100 B', bytes: 100, iterations: 100 },
  { label: '1.4 KB', bytes: 1400, iterations: 100 },
  { label: '10 KB', bytes: 10_000, iterations: 60 },
  { label: '50 KB', bytes: 50_000, iterations: 30 },
];
// Many short rounds rather than a few long ones: machine noise (other VMs, other processes)
// comes in bursts, and short interleaved rounds spread it over both sides of each pair.
const ROUNDS = 100;
const WARMUP_ROUNDS = 6;
/** Distinct prepared frames cycled through on decrypt, so no call sees the same nonce twice in a row. */
const POOL = 64;
const TARGET_RATIO = 1.2;

/** A synchronous operation, or an asynchronous one (WebCrypto) that the round awaits. */
type Op = { sync: (i: number) => unknown } | { async: (i: number) => Promise<unknown> };

interface SizeResult {
  readonly size: SizeCase;
  readonly sframeEnc: number;
  readonly floorEnc: number;
  readonly encRatio: number;
  readonly sframeDec: number;
  readonly floorDec: number;
  readonly decRatio: number;
  readonly gcmEnc: number;
  readonly gcmDec: number;
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  // getRandomValues takes at most 65536 bytes per call.
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

/** Median of the per-round ratios: each round's SFrame time against the floor time measured next to it. */
function pairedRatio(sframe: readonly number[], floor: readonly number[]): number {
  return median(sframe.map((value, i) => value / (floor[i] ?? Number.NaN)));
}

/** µs per call over one round of sequential calls (each awaited if asynchronous): one frame at a time, as in a transform. */
async function timeRound(op: Op, iterations: number): Promise<number> {
  const start = performance.now();
  if ('sync' in op) {
    for (let i = 0; i < iterations; i++) op.sync(i);
  } else {
    for (let i = 0; i < iterations; i++) await op.async(i);
  }
  return ((performance.now() - start) * 1000) / iterations;
}

/** A fresh nonce per call, built like SFrame's: a 12-byte buffer with a counter in its low bytes. */
function counterNonce(counter: number): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(8, counter >>> 0);
  new DataView(nonce.buffer).setUint32(4, Math.floor(counter / 2 ** 32));
  return nonce;
}

async function benchSize(size: SizeCase): Promise<SizeResult> {
  const subtle = globalThis.crypto.subtle;
  const sodium = await loadSodium();
  const plaintext = randomBytes(size.bytes);
  const empty = new Uint8Array(0);

  const secret = await deriveSFrameSecret(randomBytes(32), 7n);
  const sender = new SFrameSender(secret);
  const floorKey = randomBytes(32);
  const gcmKey = await subtle.importKey('raw', randomBytes(16), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  let floorCounter = 0;
  let gcmCounter = 0;

  const sframeFrames: Uint8Array[] = [];
  const floorFrames: { nonce: Uint8Array<ArrayBuffer>; sealed: Uint8Array }[] = [];
  const gcmFrames: { nonce: Uint8Array<ArrayBuffer>; sealed: ArrayBuffer }[] = [];
  for (let i = 0; i < POOL; i++) {
    sframeFrames.push(sender.encrypt(empty, plaintext));
    const nonce = counterNonce(floorCounter++);
    floorFrames.push({ nonce, sealed: sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, null, null, nonce, floorKey) });
    const gcmNonce = counterNonce(gcmCounter++);
    gcmFrames.push({ nonce: gcmNonce, sealed: await subtle.encrypt({ name: 'AES-GCM', iv: gcmNonce }, gcmKey, plaintext) });
  }
  const pick = <T>(pool: readonly T[], i: number): T => {
    const frame = pool[i % POOL];
    if (frame === undefined) throw new Error('bench pool is empty');
    return frame;
  };

  const ops: Record<'sframeEnc' | 'floorEnc' | 'gcmEnc' | 'sframeDec' | 'floorDec' | 'gcmDec', Op> = {
    sframeEnc: { sync: () => sender.encrypt(empty, plaintext) },
    floorEnc: { sync: () => sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, null, null, counterNonce(floorCounter++), floorKey) },
    gcmEnc: { async: () => subtle.encrypt({ name: 'AES-GCM', iv: counterNonce(gcmCounter++) }, gcmKey, plaintext) },
    sframeDec: { sync: (i) => sframeDecrypt(secret, empty, pick(sframeFrames, i)) },
    floorDec: {
      sync: (i) => {
        const frame = pick(floorFrames, i);
        return sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, frame.sealed, null, frame.nonce, floorKey);
      },
    },
    gcmDec: {
      async: (i) => {
        const frame = pick(gcmFrames, i);
        return subtle.decrypt({ name: 'AES-GCM', iv: frame.nonce }, gcmKey, frame.sealed);
      },
    },
  };
  const names = Object.keys(ops) as (keyof typeof ops)[];
  const samples: Record<keyof typeof ops, number[]> = { sframeEnc: [], floorEnc: [], gcmEnc: [], sframeDec: [], floorDec: [], gcmDec: [] };

  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    // Interleaved, and in reverse order every other round, so drift and noise hit both sides alike.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const perFrame = await timeRound(ops[name], size.iterations);
      if (round >= WARMUP_ROUNDS) samples[name].push(perFrame);
    }
  }
  return {
    size,
    sframeEnc: median(samples.sframeEnc),
    floorEnc: median(samples.floorEnc),
    encRatio: pairedRatio(samples.sframeEnc, samples.floorEnc),
    sframeDec: median(samples.sframeDec),
    floorDec: median(samples.floorDec),
    decRatio: pairedRatio(samples.sframeDec, samples.floorDec),
    gcmEnc: median(samples.gcmEnc),
    gcmDec: median(samples.gcmDec),
  };
}

const us = (value: number): string => value.toFixed(1);
const arenaNote = (): string => {
  const arenas = process.env.MALLOC_ARENA_MAX;
  return arenas === undefined ? 'MALLOC_ARENA_MAX unset' : `MALLOC_ARENA_MAX=${arenas}`;
};

export async function runSFrameBench(): Promise<BenchSection> {
  const results: SizeResult[] = [];
  for (const size of SIZES) results.push(await benchSize(size));

  const rows = results.map(
    (r) =>
      `| ${r.size.label} | ${us(r.sframeEnc)} | ${us(r.floorEnc)} | ${r.encRatio.toFixed(2)} | ` +
      `${us(r.sframeDec)} | ${us(r.floorDec)} | ${r.decRatio.toFixed(2)} | ${us(r.gcmEnc)} | ${us(r.gcmDec)} |`,
  );
  const markdown = [
    `Per-frame cost of SFrame (RFC 9605 framing and key schedule over ChaCha20-Poly1305, the media suite ` +
      `0xF001, \`shared/crypto/sframe.ts\`) against the floor: one raw ChaCha20-Poly1305 call through ` +
      `libsodium's own wrapper with a 32-byte key and a fresh nonce. Node ${process.version}, one frame at a ` +
      `time, empty metadata, median µs per frame over ${ROUNDS} interleaved rounds after ${WARMUP_ROUNDS} ` +
      `warm-up rounds; the ratio is the median of each round's SFrame/floor pair. Target: ratio ≤ ${TARGET_RATIO}. ` +
      `SFrame adds the header (written into the output buffer, authenticated as AAD) and the nonce; its AEAD ` +
      `keeps the key in libsodium's heap and reuses one scratch area, where the wrapper copies the key in ` +
      `and allocates on every call. The last two columns are WebCrypto's AES-GCM-128 (the RFC's suite 0x0004, ` +
      `which media used until this was measured), each call awaited: in Node it runs on libuv's thread ` +
      `pool, in a browser worker on another thread, so every frame pays a thread hop there and back ` +
      `(this run: ${arenaNote()}).`,
    '',
    '| frame | SFrame enc µs | floor enc µs | ratio | SFrame dec µs | floor dec µs | ratio | WebCrypto AES-GCM enc µs | dec µs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  return { title: 'SFrame per-frame cost', markdown };
}

await printWhenRunDirectly(import.meta.url, runSFrameBench);
