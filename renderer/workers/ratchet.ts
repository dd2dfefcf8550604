import { asBufferSource, utf8Bytes } from '../../shared/crypto/bytes';

/** Nh of cipher suite 0x0004 (SHA-256): the size of every ratcheted base key. */
const HASH_BYTES = 32;
const RATCHET_LABEL = utf8Bytes('SFrame 1.0 Ratchet');

/**
 * RFC 9605 §5.1: base_key[i+1] = HKDF-Expand(HKDF-Extract("", base_key[i]), "SFrame 1.0 Ratchet", Nh).
 * WebCrypto's HKDF is exactly Extract-then-Expand, so one deriveBits with an empty salt is the
 * RFC's formula. The old key cannot be computed from the new one, which is the point: a key that
 * leaks later does not open what was sent before the ratchet.
 */
export async function ratchetBaseKey(baseKey: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const ikm = await subtle.importKey('raw', asBufferSource(baseKey), 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: asBufferSource(RATCHET_LABEL) },
    ikm,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}
