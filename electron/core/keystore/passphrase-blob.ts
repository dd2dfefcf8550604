import { concatBytes } from '../../../shared/crypto/bytes';
import { SealerError } from './sealer-error';

/*
 * The passphrase sealer's output, self-describing so the cost parameters (or the algorithm) can
 * change later and old files still open:
 *
 *   magic "SCPS" | version 1 | alg | opslimit u32 BE | memlimit u32 BE | salt 16 | nonce 24 |
 *   secretbox ciphertext (plaintext + 16-byte tag) | checksum 16
 *
 * The checksum is an unkeyed BLAKE2b over everything before it. It protects nothing (anyone can
 * recompute it); it only lets us tell a damaged file ('corrupt') from a wrong passphrase, which
 * secretbox alone cannot: both just fail the tag.
 */

const MAGIC = Uint8Array.of(0x53, 0x43, 0x50, 0x53);
export const BLOB_VERSION = 1;
/** libsodium's crypto_pwhash_ALG_ARGON2ID13; written as a byte so the format does not depend on the library. */
export const ALG_ARGON2ID13 = 2;
export const SALT_BYTES = 16;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const CHECKSUM_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 1 + 1 + 4 + 4;
const MIN_BLOB_BYTES = HEADER_BYTES + SALT_BYTES + NONCE_BYTES + TAG_BYTES + CHECKSUM_BYTES;
/** The sealer guards small secrets; a bigger blob is damage. */
const MAX_BLOB_BYTES = MIN_BLOB_BYTES + 4096;

export interface PwhashParams {
  readonly opslimit: number;
  readonly memlimit: number;
}

export interface PassphraseBlob extends PwhashParams {
  readonly version: number;
  readonly alg: number;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  /** Everything the checksum covers. */
  readonly body: Uint8Array;
  readonly checksum: Uint8Array;
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export function encodeBlobBody(params: PwhashParams, salt: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return concatBytes(MAGIC, Uint8Array.of(BLOB_VERSION, ALG_ARGON2ID13), u32(params.opslimit), u32(params.memlimit), salt, nonce, ciphertext);
}

function corrupt(why: string): SealerError {
  return new SealerError('corrupt', `the sealed key is damaged: ${why}`);
}

/** Splits a blob into its fields; checks only structure, not the checksum or the cost limits. */
export function decodeBlob(blob: Uint8Array): PassphraseBlob {
  if (blob.length < MIN_BLOB_BYTES) throw corrupt('too short');
  if (blob.length > MAX_BLOB_BYTES) throw corrupt('too long');
  if (!MAGIC.every((byte, index) => blob[index] === byte)) throw corrupt('not a passphrase-sealed blob');
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = view.getUint8(4);
  if (version !== BLOB_VERSION) throw corrupt(`unknown format version ${version}`);
  const alg = view.getUint8(5);
  if (alg !== ALG_ARGON2ID13) throw corrupt(`unknown key-derivation algorithm ${alg}`);
  const bodyEnd = blob.length - CHECKSUM_BYTES;
  const saltStart = HEADER_BYTES;
  const nonceStart = saltStart + SALT_BYTES;
  const cipherStart = nonceStart + NONCE_BYTES;
  return {
    version,
    alg,
    opslimit: view.getUint32(6, false),
    memlimit: view.getUint32(10, false),
    salt: blob.slice(saltStart, nonceStart),
    nonce: blob.slice(nonceStart, cipherStart),
    ciphertext: blob.slice(cipherStart, bodyEnd),
    body: blob.slice(0, bodyEnd),
    checksum: blob.slice(bodyEnd),
  };
}
