/**
 * RFC 9605 SFrame, cipher suite 0x0004 AES_128_GCM_SHA256_128, on WebCrypto so that the same code
 * runs in Node, a page and the frame-crypto worker. The ratchet between key generations lives
 * elsewhere: this file knows one secret per KID.
 */
import { asBufferSource, concatBytes, uintToBytes, utf8Bytes } from './bytes';
import { CryptoError } from './errors';

const CIPHER_SUITE = 0x0004n;
const KEY_BITS = 128;
const NONCE_BYTES = 12;
/**
 * AES-GCM's tag. It is WebCrypto's default tagLength, so the calls leave it out: spelling it
 * costs Node 20 about a microsecond per frame.
 */
const TAG_BYTES = 16;
const MAX_U64 = (1n << 64n) - 1n;
/** Values below this fit in the 3 bits of the config byte (RFC 9605 §4.3). */
const INLINE_LIMIT = 8;

export interface SFrameSecret {
  /** The RFC's sframe_key; kept for tests and key-schedule checks, the cipher uses `cryptoKey`. */
  readonly key: Uint8Array;
  /** The RFC's sframe_salt. */
  readonly salt: Uint8Array;
  readonly kid: bigint;
  /** Non-extractable and imported once, so a frame costs one AES-GCM call and no key import. */
  readonly cryptoKey: CryptoKey;
}

export interface SFrameHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** How many bytes of the input the header took. */
  readonly length: number;
}

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

function checkU64(value: bigint, what: string): void {
  if (value < 0n || value > MAX_U64) {
    throw new CryptoError('invalid-input', `SFrame ${what} ${value} is not a 64-bit unsigned integer`);
  }
}

// Per-frame integer work is done on two 32-bit halves: bigint arithmetic allocates on every
// operation, and this path runs for every audio and video frame.
function high32(value: bigint): number {
  return Number(value >> 32n);
}

function low32(value: bigint): number {
  return Number(value & 0xffffffffn);
}

function bytesIn32(value: number): number {
  if (value < 0x100) return 1;
  if (value < 0x10000) return 2;
  if (value < 0x1000000) return 3;
  return 4;
}

/** Minimal big-endian length of a value ≥ 8, from its halves. */
function extendedLength(hi: number, lo: number): number {
  return hi === 0 ? bytesIn32(lo) : 4 + bytesIn32(hi);
}

function writeHalves(target: Uint8Array, offset: number, hi: number, lo: number, length: number): void {
  for (let j = 0; j < length; j++) {
    const byte = j < 4 ? lo >>> (8 * j) : hi >>> (8 * (j - 4));
    target[offset + length - 1 - j] = byte & 0xff;
  }
}

function headerLength(kidHi: number, kidLo: number, ctrHi: number, ctrLo: number): number {
  const kidInline = kidHi === 0 && kidLo < INLINE_LIMIT;
  const ctrInline = ctrHi === 0 && ctrLo < INLINE_LIMIT;
  return 1 + (kidInline ? 0 : extendedLength(kidHi, kidLo)) + (ctrInline ? 0 : extendedLength(ctrHi, ctrLo));
}

/** Writes the header at `offset` in `target`, which must have room for `headerLength(...)` bytes. */
function writeHeader(target: Uint8Array, offset: number, kidHi: number, kidLo: number, ctrHi: number, ctrLo: number): void {
  let config = 0;
  let at = offset + 1;
  if (kidHi === 0 && kidLo < INLINE_LIMIT) {
    config |= kidLo << 4;
  } else {
    const length = extendedLength(kidHi, kidLo);
    config |= 0x80 | ((length - 1) << 4);
    writeHalves(target, at, kidHi, kidLo, length);
    at += length;
  }
  if (ctrHi === 0 && ctrLo < INLINE_LIMIT) {
    config |= ctrLo;
  } else {
    const length = extendedLength(ctrHi, ctrLo);
    config |= 0x08 | (length - 1);
    writeHalves(target, at, ctrHi, ctrLo, length);
  }
  target[offset] = config;
}

export function encodeSFrameHeader(kid: bigint, ctr: bigint): Uint8Array {
  checkU64(kid, 'KID');
  checkU64(ctr, 'CTR');
  const kidHi = high32(kid);
  const kidLo = low32(kid);
  const ctrHi = high32(ctr);
  const ctrLo = low32(ctr);
  const out = new Uint8Array(headerLength(kidHi, kidLo, ctrHi, ctrLo));
  writeHeader(out, 0, kidHi, kidLo, ctrHi, ctrLo);
  return out;
}

/**
 * Reads an extended field. The RFC requires the minimum number of bytes, so a value below 8 or a
 * leading zero byte is refused: each (KID, CTR) then has exactly one header, the one we send.
 */
function readExtended(data: Uint8Array, offset: number, length: number, what: string): bigint {
  if (data.length < offset + length) {
    throw new CryptoError('sframe-truncated', `SFrame header ends inside its ${what}`);
  }
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < length; i++) {
    const byte = data[offset + i] ?? 0;
    // `>>> 0` keeps the halves unsigned once a byte reaches bit 31.
    hi = ((hi << 8) | (lo >>> 24)) >>> 0;
    lo = ((lo << 8) | byte) >>> 0;
  }
  if (data[offset] === 0 || (hi === 0 && lo < INLINE_LIMIT)) {
    throw new CryptoError('sframe-bad-header', `SFrame ${what} is not minimally encoded`);
  }
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

export function decodeSFrameHeader(data: Uint8Array): SFrameHeader {
  const config = data[0];
  if (config === undefined) throw new CryptoError('sframe-truncated', 'SFrame data is empty');
  let offset = 1;
  let kid: bigint;
  if ((config & 0x80) === 0) {
    kid = BigInt((config >> 4) & 0x07);
  } else {
    const length = ((config >> 4) & 0x07) + 1;
    kid = readExtended(data, offset, length, 'KID');
    offset += length;
  }
  let ctr: bigint;
  if ((config & 0x08) === 0) {
    ctr = BigInt(config & 0x07);
  } else {
    const length = (config & 0x07) + 1;
    ctr = readExtended(data, offset, length, 'CTR');
    offset += length;
  }
  return { kid, ctr, length: offset };
}

function label(kind: 'key' | 'salt', kid: bigint): Uint8Array {
  return concatBytes(utf8Bytes(`SFrame 1.0 Secret ${kind} `), uintToBytes(kid, 8), uintToBytes(CIPHER_SUITE, 2));
}

/** Shortest base key accepted: the suite's key size, so a short secret cannot weaken it. */
const MIN_BASE_KEY_BYTES = KEY_BITS / 8;

export async function deriveSFrameSecret(baseKey: Uint8Array, kid: bigint): Promise<SFrameSecret> {
  checkU64(kid, 'KID');
  if (baseKey.length < MIN_BASE_KEY_BYTES) {
    throw new CryptoError('invalid-key', `SFrame base key must be at least ${MIN_BASE_KEY_BYTES} bytes`);
  }
  const ikm = await subtle().importKey('raw', asBufferSource(baseKey), 'HKDF', false, ['deriveBits']);
  // WebCrypto's HKDF is Extract-then-Expand; an empty salt is the RFC's HKDF-Extract("", base_key).
  const expand = async (info: Uint8Array, bits: number): Promise<Uint8Array> =>
    new Uint8Array(
      await subtle().deriveBits(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: asBufferSource(info) },
        ikm,
        bits,
      ),
    );
  const key = await expand(label('key', kid), KEY_BITS);
  const salt = await expand(label('salt', kid), NONCE_BYTES * 8);
  const cryptoKey = await subtle().importKey('raw', asBufferSource(key), { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ]);
  return Object.freeze({ key, salt, kid, cryptoKey });
}

/** salt XOR CTR, the CTR left-padded to the nonce size. A fresh buffer per call: calls overlap. */
function nonceFor(salt: Uint8Array, ctrHi: number, ctrLo: number): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(NONCE_BYTES);
  nonce.set(salt);
  for (let j = 0; j < 8; j++) {
    const byte = j < 4 ? ctrLo >>> (8 * j) : ctrHi >>> (8 * (j - 4));
    const index = NONCE_BYTES - 1 - j;
    nonce[index] = ((nonce[index] ?? 0) ^ byte) & 0xff;
  }
  return nonce;
}

function aadFor(header: Uint8Array, metadata: Uint8Array): Uint8Array<ArrayBuffer> {
  return asBufferSource(metadata.length === 0 ? header : concatBytes(header, metadata));
}

/**
 * Encrypts into one buffer of `metadata || header || ciphertext || tag` when `metadataFirst`, else
 * `header || ciphertext || tag`. A caller that sends the metadata in clear before the SFrame (media
 * frames do) gets that layout here instead of paying a second allocation and copy of the frame.
 */
async function seal(
  secret: SFrameSecret,
  kid: bigint,
  ctr: bigint,
  metadata: Uint8Array,
  plaintext: Uint8Array,
  metadataFirst: boolean,
): Promise<Uint8Array> {
  // A header naming another KID than the key would make frames no receiver can open.
  if (kid !== secret.kid) {
    throw new CryptoError('invalid-input', `SFrame KID ${kid} does not match the secret's KID ${secret.kid}`);
  }
  checkU64(kid, 'KID');
  checkU64(ctr, 'CTR');
  const ctrHi = high32(ctr);
  const ctrLo = low32(ctr);
  const kidHi = high32(kid);
  const kidLo = low32(kid);
  const header = new Uint8Array(headerLength(kidHi, kidLo, ctrHi, ctrLo));
  writeHeader(header, 0, kidHi, kidLo, ctrHi, ctrLo);
  // The AAD is a private copy of header || metadata, so the clear metadata written below is the
  // one that was authenticated even if the caller reuses its buffer meanwhile.
  const aad = aadFor(header, metadata);
  const pending = subtle().encrypt(
    { name: 'AES-GCM', iv: nonceFor(secret.salt, ctrHi, ctrLo), additionalData: aad },
    secret.cryptoKey,
    asBufferSource(plaintext),
  );
  // WebCrypto returns a buffer of its own, so the frame is copied once into `out`. A fresh buffer
  // of the frame's size is most of what SFrame adds to the AES-GCM call (bench/sframe.bench.ts):
  // allocating it here, once the cipher has been handed off, overlaps that cost with the cipher.
  const lead = metadataFirst ? metadata.length : 0;
  const out = new Uint8Array(lead + header.length + plaintext.length + TAG_BYTES);
  if (metadataFirst) out.set(aad.subarray(header.length));
  out.set(header, lead);
  out.set(new Uint8Array(await pending), lead + header.length);
  return out;
}

/** Returns header || ciphertext || tag. The caller owns counter uniqueness: prefer SFrameSender. */
export function sframeEncrypt(
  secret: SFrameSecret,
  kid: bigint,
  ctr: bigint,
  metadata: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  return seal(secret, kid, ctr, metadata, plaintext, false);
}

export interface SFrameOpened {
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly plaintext: Uint8Array;
}

export async function sframeDecrypt(secret: SFrameSecret, metadata: Uint8Array, data: Uint8Array): Promise<SFrameOpened> {
  const { kid, ctr, length } = decodeSFrameHeader(data);
  if (data.length < length + TAG_BYTES) {
    throw new CryptoError('sframe-truncated', 'SFrame data is shorter than its header and tag');
  }
  // Same code as a failed tag: to the caller both mean "this key does not open this frame".
  if (kid !== secret.kid) {
    throw new CryptoError('sframe-auth-failed', `SFrame KID ${kid} is not the secret's KID ${secret.kid}`);
  }
  let opened: ArrayBuffer;
  try {
    opened = await subtle().decrypt(
      {
        name: 'AES-GCM',
        iv: nonceFor(secret.salt, high32(ctr), low32(ctr)),
        additionalData: asBufferSource(concatBytes(data.subarray(0, length), metadata)),
      },
      secret.cryptoKey,
      asBufferSource(data.subarray(length)),
    );
  } catch {
    throw new CryptoError('sframe-auth-failed', 'SFrame authentication failed');
  }
  return { kid, ctr, plaintext: new Uint8Array(opened) };
}

/** Secrets that already have a sender: a second one would start again at counter 0. */
const sendingSecrets = new WeakSet<SFrameSecret>();

export interface SFrameSenderOptions {
  /**
   * The last counter this sender may use; 2^64 - 1 unless lowered (tests lower it to reach
   * exhaustion). It can only end the sequence earlier, never restart it.
   */
  readonly lastCounter?: bigint;
}

/**
 * The one sender of one secret: its counter starts at 0 and only moves forward, so a nonce is
 * never used twice. Share one instance between every stream encrypted under this KID; a second
 * sender for the same secret object is refused because it would reuse counters.
 */
export class SFrameSender {
  readonly #secret: SFrameSecret;
  readonly #lastCounter: bigint;
  #next = 0n;

  constructor(secret: SFrameSecret, options: SFrameSenderOptions = {}) {
    const lastCounter = options.lastCounter ?? MAX_U64;
    checkU64(lastCounter, 'last counter');
    if (sendingSecrets.has(secret)) {
      throw new CryptoError('invalid-input', `SFrame KID ${secret.kid} already has a sender; counters would repeat`);
    }
    sendingSecrets.add(secret);
    this.#secret = secret;
    this.#lastCounter = lastCounter;
  }

  get kid(): bigint {
    return this.#secret.kid;
  }

  /** The counter the next frame will carry. */
  get nextCounter(): bigint {
    return this.#next;
  }

  /**
   * header || ciphertext || tag, or with `metadataFirst` metadata || header || ciphertext || tag in
   * one buffer (the layout of media frames, whose clear prefix is the metadata). The counter is
   * taken synchronously, so overlapping calls never share one. Not `async`, to save a promise
   * layer on every frame; failures still arrive as rejections.
   */
  encrypt(metadata: Uint8Array, plaintext: Uint8Array, options?: { metadataFirst?: boolean }): Promise<Uint8Array> {
    const ctr = this.#next;
    if (ctr > this.#lastCounter) {
      return Promise.reject(
        new CryptoError('sframe-counter-exhausted', `SFrame counters for KID ${this.#secret.kid} are used up`),
      );
    }
    this.#next = ctr + 1n;
    return seal(this.#secret, this.#secret.kid, ctr, metadata, plaintext, options?.metadataFirst ?? false);
  }
}
