/**
 * RFC 9605 SFrame: header, key schedule, nonce and AAD exactly as the RFC has them, over an AEAD
 * that runs synchronously, so a frame never waits on another thread. Media use a private-use
 * cipher suite, ChaCha20-Poly1305 from libsodium (see MEDIA_SUITE); the RFC's own suite 0x0004
 * goes through the same code in the tests, against the RFC's vectors. The same code runs in Node,
 * a page and the frame-crypto worker. The ratchet between key generations lives elsewhere: this
 * file knows one secret per KID.
 */
import { chacha20Poly1305, type Aead } from './chacha20-poly1305';
import { asBufferSource, concatBytes, uintToBytes, utf8Bytes } from './bytes';
import { CryptoError } from './errors';
import { REPLAY_WINDOW_SIZE, ReplayWindow } from './replay-window';
import { loadSodium } from './sodium';

/** A cipher suite of RFC 9605 §4.5 (all of ours hash with SHA-256 and use 12-byte nonces, 16-byte tags). */
export interface SFrameCipherSuite {
  /** Its value in the IANA "SFrame Cipher Suites" registry (RFC 9605 §8.1). */
  readonly id: bigint;
  /** Nk. */
  readonly keyBytes: number;
}

/** The RFC's suite whose test vectors the unit tests check this code against. */
export const AES_128_GCM_SHA256_128: SFrameCipherSuite = Object.freeze({ id: 0x0004n, keyBytes: 16 });

/**
 * The media suite, CHACHA20_POLY1305_SHA256_128: ChaCha20-Poly1305 (RFC 8439) with HKDF-SHA-256, Nk = 32, Nn = 12, Nt = 16, at
 * 0xF001 in the registry's private-use range (0xF000–0xFFFF): the RFC defines no ChaCha suite.
 * Why not the RFC's AES-GCM: in a browser only WebCrypto has a constant-time AES, and it is
 * asynchronous; ChaCha20 is constant-time in software, and libsodium runs it in the worker's own
 * thread (see docs/threat-model.md).
 */
export const MEDIA_SUITE: SFrameCipherSuite = Object.freeze({ id: 0xf001n, keyBytes: 32 });

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const MAX_U64 = (1n << 64n) - 1n;
/** Values below this fit in the 3 bits of the config byte (RFC 9605 §4.3). */
const INLINE_LIMIT = 8;

export interface SFrameSecret {
  readonly kid: bigint;
  /** The RFC's sframe_salt. */
  readonly salt: Uint8Array;
  /** Holds the RFC's sframe_key (inside libsodium's heap for the media suite). */
  readonly aead: Aead;
}

/** The RFC's sframe_key and sframe_salt for one KID. */
export interface SFrameKeyMaterial {
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
}

export interface SFrameHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** How many bytes of the input the header took. */
  readonly length: number;
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

function label(kind: 'key' | 'salt', kid: bigint, suite: SFrameCipherSuite): Uint8Array {
  return concatBytes(utf8Bytes(`SFrame 1.0 Secret ${kind} `), uintToBytes(kid, 8), uintToBytes(suite.id, 2));
}

/**
 * RFC 9605 §4.4.2: sframe_key and sframe_salt from a base key, for one KID and suite. The base key
 * must be at least the suite's key size, so a short secret cannot weaken it.
 */
export async function deriveSFrameKeyMaterial(baseKey: Uint8Array, kid: bigint, suite: SFrameCipherSuite = MEDIA_SUITE): Promise<SFrameKeyMaterial> {
  checkU64(kid, 'KID');
  if (baseKey.length < suite.keyBytes) {
    throw new CryptoError('invalid-key', `SFrame base key must be at least ${suite.keyBytes} bytes`);
  }
  const subtle = globalThis.crypto.subtle;
  const ikm = await subtle.importKey('raw', asBufferSource(baseKey), 'HKDF', false, ['deriveBits']);
  // WebCrypto's HKDF is Extract-then-Expand; an empty salt is the RFC's HKDF-Extract("", base_key).
  const expand = async (info: Uint8Array, bytes: number): Promise<Uint8Array> =>
    new Uint8Array(
      await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: asBufferSource(info) }, ikm, bytes * 8),
    );
  return { key: await expand(label('key', kid, suite), suite.keyBytes), salt: await expand(label('salt', kid, suite), NONCE_BYTES) };
}

/** A secret from its parts; `aead` must hold the suite's cipher under this KID's sframe_key. */
export function sframeSecret(kid: bigint, salt: Uint8Array, aead: Aead): SFrameSecret {
  checkU64(kid, 'KID');
  if (salt.length !== NONCE_BYTES) throw new CryptoError('invalid-key', `an SFrame salt is ${NONCE_BYTES} bytes`);
  return Object.freeze({ kid, salt, aead });
}

/**
 * The media suite's secret for one KID. The derived key goes into libsodium's heap and its copy
 * here is zeroed: wipeSFrameSecret() zeroes the rest.
 */
export async function deriveSFrameSecret(baseKey: Uint8Array, kid: bigint): Promise<SFrameSecret> {
  const [material, sodium] = await Promise.all([deriveSFrameKeyMaterial(baseKey, kid, MEDIA_SUITE), loadSodium()]);
  try {
    return sframeSecret(kid, material.salt, chacha20Poly1305(sodium, material.key));
  } finally {
    material.key.fill(0);
  }
}

/** Zeroes the key and salt; the secret opens and seals nothing afterwards. */
export function wipeSFrameSecret(secret: SFrameSecret): void {
  secret.aead.wipe();
  secret.salt.fill(0);
}

/** salt XOR CTR, the CTR left-padded to the nonce size. */
function nonceFor(salt: Uint8Array, ctrHi: number, ctrLo: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES);
  nonce.set(salt);
  for (let j = 0; j < 8; j++) {
    const byte = j < 4 ? ctrLo >>> (8 * j) : ctrHi >>> (8 * (j - 4));
    const index = NONCE_BYTES - 1 - j;
    nonce[index] = ((nonce[index] ?? 0) ^ byte) & 0xff;
  }
  return nonce;
}

/**
 * Encrypts into one buffer of `metadata || header || ciphertext || tag` when `metadataFirst`, else
 * `header || ciphertext || tag`. A caller that sends the metadata in clear before the SFrame (media
 * frames do) gets that layout here instead of paying a second allocation and copy of the frame.
 */
function seal(
  secret: SFrameSecret,
  kid: bigint,
  ctr: bigint,
  metadata: Uint8Array,
  plaintext: Uint8Array,
  metadataFirst: boolean,
  context: Uint8Array,
): Uint8Array {
  // A header naming another KID than the key would make frames no receiver can open.
  if (kid !== secret.kid) {
    throw new CryptoError('invalid-input', `SFrame KID ${kid} does not match the secret's KID ${secret.kid}`);
  }
  checkU64(ctr, 'CTR');
  const ctrHi = high32(ctr);
  const ctrLo = low32(ctr);
  const kidHi = high32(kid);
  const kidLo = low32(kid);
  const lead = metadataFirst ? metadata.length : 0;
  const length = headerLength(kidHi, kidLo, ctrHi, ctrLo);
  const out = new Uint8Array(lead + length + plaintext.length + TAG_BYTES);
  writeHeader(out, lead, kidHi, kidLo, ctrHi, ctrLo);
  if (metadataFirst) out.set(metadata);
  // The AAD is read from `out` (header, and the clear metadata when it leads), so what is sent is
  // exactly what was authenticated, whatever the caller does with its own buffers.
  const header = out.subarray(lead, lead + length);
  const aad = metadataFirst ? [header, context, out.subarray(0, lead)] : [header, context, metadata];
  secret.aead.seal(nonceFor(secret.salt, ctrHi, ctrLo), aad, plaintext, out, lead + length);
  return out;
}

const NO_CONTEXT = new Uint8Array(0);

/** Returns header || ciphertext || tag. The caller owns counter uniqueness: prefer SFrameSender. */
export function sframeEncrypt(secret: SFrameSecret, kid: bigint, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return seal(secret, kid, ctr, metadata, plaintext, false, NO_CONTEXT);
}

export interface SFrameOpened {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** The plaintext; metadata || plaintext when opened with `metadataFirst`. */
  readonly plaintext: Uint8Array;
}

/** The header of `data`, once it is known to hold a header and a tag under this secret's KID. */
function headerFor(secret: SFrameSecret, data: Uint8Array): SFrameHeader {
  const header = decodeSFrameHeader(data);
  if (data.length < header.length + TAG_BYTES) {
    throw new CryptoError('sframe-truncated', 'SFrame data is shorter than its header and tag');
  }
  // Same code as a failed tag: to the caller both mean "this key does not open this frame".
  if (header.kid !== secret.kid) {
    throw new CryptoError('sframe-auth-failed', `SFrame KID ${header.kid} is not the secret's KID ${secret.kid}`);
  }
  return header;
}

/** The plaintext, or with `metadataFirst` metadata || plaintext in one buffer (see SFrameOpenOptions). */
function open(secret: SFrameSecret, header: SFrameHeader, context: Uint8Array, metadata: Uint8Array, data: Uint8Array, metadataFirst: boolean): Uint8Array {
  const { ctr, length } = header;
  const aad = [data.subarray(0, length), context, metadata];
  const lead = metadataFirst ? metadata.length : 0;
  const out = new Uint8Array(lead + data.length - length - TAG_BYTES);
  if (!secret.aead.openInto(nonceFor(secret.salt, high32(ctr), low32(ctr)), aad, data.subarray(length), out, lead)) {
    throw new CryptoError('sframe-auth-failed', 'SFrame authentication failed');
  }
  if (metadataFirst) out.set(metadata);
  return out;
}

/**
 * Opens one SFrame ciphertext, with no memory of earlier ones: the RFC's decryption alone. A
 * receiver of live media uses SFrameReceiver, which also refuses replays.
 */
export function sframeDecrypt(secret: SFrameSecret, metadata: Uint8Array, data: Uint8Array): SFrameOpened {
  const header = headerFor(secret, data);
  return { kid: header.kid, ctr: header.ctr, plaintext: open(secret, header, NO_CONTEXT, metadata, data, false) };
}

export interface SFrameOpenOptions {
  /** Metadata both ends know and so never send; authenticated ahead of `metadata` (see SFrameSender.encrypt). */
  readonly context?: Uint8Array;
  /**
   * Return metadata || plaintext in one buffer: the layout of a media frame, whose clear prefix is
   * the metadata, without a second allocation and copy of the frame.
   */
  readonly metadataFirst?: boolean;
}

/**
 * The receiving end of one KID: RFC 9605 decryption plus the anti-replay window of §9.3. Each
 * counter opens at most one frame, and a counter a window's width behind the newest is refused.
 * The window moves only once a frame has authenticated, so forged frames cannot push it along.
 */
export class SFrameReceiver {
  readonly secret: SFrameSecret;
  readonly #window: ReplayWindow;

  constructor(secret: SFrameSecret) {
    this.secret = secret;
    this.#window = new ReplayWindow(REPLAY_WINDOW_SIZE);
  }

  /** As sframeDecrypt, and 'sframe-replayed' for a counter already opened or too old. */
  open(metadata: Uint8Array, data: Uint8Array, options?: SFrameOpenOptions): SFrameOpened {
    const header = headerFor(this.secret, data);
    if (!this.#window.allows(header.ctr)) {
      throw new CryptoError('sframe-replayed', `SFrame counter ${header.ctr} of KID ${header.kid} was already used or is too old`);
    }
    const plaintext = open(this.secret, header, options?.context ?? NO_CONTEXT, metadata, data, options?.metadataFirst ?? false);
    // Synchronous from the check to here: no other frame can record this counter in between.
    this.#window.record(header.ctr);
    return { kid: header.kid, ctr: header.ctr, plaintext };
  }
}

export interface SFrameEncryptOptions {
  /** Put the metadata in clear before the SFrame, in the same buffer. */
  readonly metadataFirst?: boolean;
  /**
   * Metadata both ends know and so never send (what the frame is for, say). In the RFC's terms
   * the frame's metadata is context || metadata, of which only `metadata` travels; the AAD is
   * header || context || metadata, so a frame sealed for one context does not open in another.
   */
  readonly context?: Uint8Array;
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
   * one buffer (the layout of media frames, whose clear prefix is the metadata). A counter is used
   * once even when the encryption fails.
   */
  encrypt(metadata: Uint8Array, plaintext: Uint8Array, options?: SFrameEncryptOptions): Uint8Array {
    const ctr = this.#next;
    if (ctr > this.#lastCounter) {
      throw new CryptoError('sframe-counter-exhausted', `SFrame counters for KID ${this.#secret.kid} are used up`);
    }
    this.#next = ctr + 1n;
    return seal(this.#secret, this.#secret.kid, ctr, metadata, plaintext, options?.metadataFirst ?? false, options?.context ?? NO_CONTEXT);
  }
}
