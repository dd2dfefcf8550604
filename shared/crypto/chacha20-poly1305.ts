/**
 * ChaCha20-Poly1305 (RFC 8439, libsodium's "IETF" construction) from libsodium's WebAssembly,
 * called synchronously on buffers inside its heap. This is the AEAD under every media frame:
 * WebCrypto has no ChaCha20 and its AES-GCM is asynchronous, so each frame would wait for a
 * thread hop there and back (measured in a call: 105–170 µs per frame against 2–5 µs here).
 *
 * The key is copied into the heap once per key generation and zeroed there by wipe(); the
 * high-level wrapper would copy it in and free it (unzeroed) on every frame.
 */
import { CryptoError } from './errors';
import type { Sodium } from './sodium';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The raw Emscripten module under libsodium-wrappers: 64-bit lengths travel as (low, high) pairs. */
interface SodiumHeap {
  readonly HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _crypto_aead_chacha20poly1305_ietf_encrypt(
    c: number, clenP: number, m: number, mlenLo: number, mlenHi: number,
    ad: number, adlenLo: number, adlenHi: number, nsec: number, npub: number, k: number,
  ): number;
  _crypto_aead_chacha20poly1305_ietf_decrypt(
    m: number, mlenP: number, nsec: number, c: number, clenLo: number, clenHi: number,
    ad: number, adlenLo: number, adlenHi: number, npub: number, k: number,
  ): number;
}

function isSodiumHeap(value: unknown): value is SodiumHeap {
  if (typeof value !== 'object' || value === null) return false;
  const heap = value as Record<string, unknown>;
  return (
    heap['HEAPU8'] instanceof Uint8Array &&
    typeof heap['_malloc'] === 'function' &&
    typeof heap['_free'] === 'function' &&
    typeof heap['_crypto_aead_chacha20poly1305_ietf_encrypt'] === 'function' &&
    typeof heap['_crypto_aead_chacha20poly1305_ietf_decrypt'] === 'function'
  );
}

function heapOf(sodium: Sodium): SodiumHeap {
  const raw: unknown = (sodium as unknown as { libsodium?: unknown }).libsodium;
  if (!isSodiumHeap(raw)) {
    throw new CryptoError('crypto-not-ready', "libsodium's WebAssembly module does not expose ChaCha20-Poly1305 and its heap");
  }
  return raw;
}

/**
 * A heap area an AEAD reuses for every call: calls are synchronous, so they never overlap. It
 * grows to the largest frame seen, holds frame bytes only (never the key), and is zeroed and freed
 * by wipe().
 */
class Scratch {
  #pointer = 0;
  #size = 0;

  constructor(private readonly heap: SodiumHeap) {}

  at(size: number): number {
    if (this.#size >= size) return this.#pointer;
    this.free();
    // Round up so a slowly growing frame size does not reallocate every time.
    const rounded = Math.max(16 * 1024, 2 ** Math.ceil(Math.log2(size)));
    const pointer = this.heap._malloc(rounded);
    if (pointer === 0) throw new CryptoError('invalid-input', `no room for a ${size}-byte frame in libsodium's heap`);
    this.#pointer = pointer;
    this.#size = rounded;
    return pointer;
  }

  free(): void {
    if (this.#pointer === 0) return;
    this.heap.HEAPU8.fill(0, this.#pointer, this.#pointer + this.#size);
    this.heap._free(this.#pointer);
    this.#pointer = 0;
    this.#size = 0;
  }
}

/** Where one call's inputs sit in the heap: nonce | aad | input | output. */
interface Staged {
  readonly nonceAt: number;
  readonly aadAt: number;
  readonly aadLength: number;
  readonly inputAt: number;
  readonly outputAt: number;
}

/** Copies the nonce, the AAD parts and the input into the scratch area, with room for the output after them. */
function stage(heap: SodiumHeap, scratch: Scratch, nonce: Uint8Array, aad: readonly Uint8Array[], input: Uint8Array, outputLength: number): Staged {
  let aadLength = 0;
  for (const part of aad) aadLength += part.length;
  const nonceAt = scratch.at(nonce.length + aadLength + input.length + outputLength);
  // HEAPU8 is read after the allocation: a growing heap replaces the view.
  const bytes = heap.HEAPU8;
  bytes.set(nonce, nonceAt);
  const aadAt = nonceAt + nonce.length;
  let at = aadAt;
  for (const part of aad) {
    bytes.set(part, at);
    at += part.length;
  }
  bytes.set(input, at);
  return { nonceAt, aadAt, aadLength, inputAt: at, outputAt: at + input.length };
}

/** An AEAD bound to one key. `aad` is given in parts, authenticated as their concatenation. */
export interface Aead {
  /** Writes ciphertext || tag (plaintext.length + 16 bytes) into `out` at `offset`. */
  seal(nonce: Uint8Array, aad: readonly Uint8Array[], plaintext: Uint8Array, out: Uint8Array, offset: number): void;
  /** The plaintext in a fresh buffer, or false when the tag does not verify. */
  open(nonce: Uint8Array, aad: readonly Uint8Array[], sealed: Uint8Array): Uint8Array | false;
  /**
   * Writes the plaintext (sealed.length - 16 bytes) into `out` at `offset`, so a caller that frames
   * it (a media frame's clear prefix before it) needs no second buffer; false, with `out` left
   * untouched, when the tag does not verify.
   */
  openInto(nonce: Uint8Array, aad: readonly Uint8Array[], sealed: Uint8Array, out: Uint8Array, offset: number): boolean;
  /** Zeroes the key and the frame bytes left in the heap; the AEAD refuses to work afterwards. */
  wipe(): void;
}

export function chacha20Poly1305(sodium: Sodium, key: Uint8Array): Aead {
  if (key.length !== KEY_BYTES) {
    throw new CryptoError('invalid-key', `a ChaCha20-Poly1305 key is ${KEY_BYTES} bytes, not ${key.length}`);
  }
  const heap = heapOf(sodium);
  let keyPointer = heap._malloc(KEY_BYTES);
  if (keyPointer === 0) throw new CryptoError('invalid-input', "no room for a key in libsodium's heap");
  heap.HEAPU8.set(key, keyPointer);
  const scratch = new Scratch(heap);

  const checkNonce = (nonce: Uint8Array) => {
    if (keyPointer === 0) throw new CryptoError('invalid-key', 'this key has been wiped');
    if (nonce.length !== NONCE_BYTES) {
      throw new CryptoError('invalid-input', `a ChaCha20-Poly1305 nonce is ${NONCE_BYTES} bytes, not ${nonce.length}`);
    }
  };

  return {
    seal(nonce, aad, plaintext, out, offset) {
      checkNonce(nonce);
      const sealedLength = plaintext.length + TAG_BYTES;
      if (offset < 0 || out.length - offset < sealedLength) throw new CryptoError('invalid-input', 'the output has no room for the ciphertext');
      const at = stage(heap, scratch, nonce, aad, plaintext, sealedLength);
      const status = heap._crypto_aead_chacha20poly1305_ietf_encrypt(
        at.outputAt, 0, at.inputAt, plaintext.length, 0, at.aadAt, at.aadLength, 0, 0, at.nonceAt, keyPointer,
      );
      if (status !== 0) throw new CryptoError('invalid-input', 'ChaCha20-Poly1305 refused to encrypt');
      out.set(heap.HEAPU8.subarray(at.outputAt, at.outputAt + sealedLength), offset);
    },

    open(nonce, aad, sealed) {
      if (sealed.length < TAG_BYTES) {
        checkNonce(nonce);
        return false;
      }
      const out = new Uint8Array(sealed.length - TAG_BYTES);
      return this.openInto(nonce, aad, sealed, out, 0) ? out : false;
    },

    openInto(nonce, aad, sealed, out, offset) {
      checkNonce(nonce);
      if (sealed.length < TAG_BYTES) return false;
      const plainLength = sealed.length - TAG_BYTES;
      if (offset < 0 || out.length - offset < plainLength) throw new CryptoError('invalid-input', 'the output has no room for the plaintext');
      const at = stage(heap, scratch, nonce, aad, sealed, plainLength);
      const status = heap._crypto_aead_chacha20poly1305_ietf_decrypt(
        at.outputAt, 0, 0, at.inputAt, sealed.length, 0, at.aadAt, at.aadLength, 0, at.nonceAt, keyPointer,
      );
      if (status !== 0) return false;
      out.set(heap.HEAPU8.subarray(at.outputAt, at.outputAt + plainLength), offset);
      return true;
    },

    wipe() {
      if (keyPointer === 0) return;
      heap.HEAPU8.fill(0, keyPointer, keyPointer + KEY_BYTES);
      heap._free(keyPointer);
      keyPointer = 0;
      scratch.free();
    },
  };
}
