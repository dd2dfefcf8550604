import { constantTimeEqual, utf8Bytes } from '../../../shared/crypto/bytes';
import { loadSodium } from '../../../shared/crypto/sodium';
import type { SecretSealer } from '../ports';
import { CHECKSUM_BYTES, decodeBlob, encodeBlobBody, NONCE_BYTES, SALT_BYTES, type PwhashParams } from './passphrase-blob';
import { SealerError } from './sealer-error';

export type { PwhashParams } from './passphrase-blob';

/** libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE: about 0.2 s here. For tests, and as the floor. */
export const PWHASH_INTERACTIVE: PwhashParams = Object.freeze({ opslimit: 2, memlimit: 64 * 1024 * 1024 });
/** libsodium's OPSLIMIT/MEMLIMIT_MODERATE: about 1 s here, once per unlock. The default. */
export const PWHASH_MODERATE: PwhashParams = Object.freeze({ opslimit: 3, memlimit: 256 * 1024 * 1024 });

/*
 * Bounds for both sealing and opening. Opening trusts the parameters written in the file, so a
 * damaged or planted file must not make us spin for minutes or ask WebAssembly for gigabytes.
 */
const OPSLIMIT_RANGE = [PWHASH_INTERACTIVE.opslimit, 10] as const;
const MEMLIMIT_RANGE = [PWHASH_INTERACTIVE.memlimit, 512 * 1024 * 1024] as const;

/*
 * At least 8 characters (NIST SP 800-63B's floor for user-chosen secrets). The threat is offline
 * guessing against a stolen keystore file, slowed only by Argon2id: at ~1 s per guess on one core
 * a short password still falls to a GPU farm, so the UI should push for a longer passphrase; 8 is
 * where refusing outright stops being a judgement call. Counted in characters as a user sees them
 * (graphemes), after NFC, so that "é" typed on macOS (decomposed) and on Windows (composed) is the
 * same passphrase of the same length.
 */
export const MIN_PASSPHRASE_LENGTH = 8;
export const MAX_PASSPHRASE_LENGTH = 1024;

const KEY_BYTES = 32;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function inRange(value: number, [min, max]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function checkParams(params: PwhashParams): boolean {
  return inRange(params.opslimit, OPSLIMIT_RANGE) && inRange(params.memlimit, MEMLIMIT_RANGE);
}

/** The passphrase as the sealer will use it; throws 'weak-passphrase' with a message for the user. */
export function normalizePassphrase(passphrase: string): string {
  const normalized = passphrase.normalize('NFC');
  let length = 0;
  for (const _ of graphemes.segment(normalized)) length++;
  if (length < MIN_PASSPHRASE_LENGTH || normalized.trim() === '') {
    throw new SealerError('weak-passphrase', `Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters; a few words are easier to remember and harder to guess.`);
  }
  if (length > MAX_PASSPHRASE_LENGTH) {
    throw new SealerError('weak-passphrase', `A passphrase can have at most ${MAX_PASSPHRASE_LENGTH} characters.`);
  }
  return normalized;
}

export interface PassphraseSealer extends SecretSealer {
  readonly kind: 'passphrase';
  readonly params: PwhashParams;
  /** Zeroes the sealer's copy of the passphrase; it cannot seal or open afterwards. */
  wipe(): void;
}

/** The cost parameters a blob was sealed with, e.g. to re-seal it after the defaults were raised. */
export function sealedParams(blob: Uint8Array): PwhashParams {
  const { opslimit, memlimit } = decodeBlob(blob);
  return { opslimit, memlimit };
}

/** Seals with Argon2id (a fresh salt every time) and XSalsa20-Poly1305 (a fresh nonce every time). */
export function createPassphraseSealer(passphrase: string, params: PwhashParams = PWHASH_MODERATE): PassphraseSealer {
  if (!checkParams(params)) throw new RangeError('passphrase sealer: Argon2id limits outside the supported range');
  const secret = utf8Bytes(normalizePassphrase(passphrase));
  let wiped = false;

  async function deriveKey(salt: Uint8Array, use: PwhashParams): Promise<Uint8Array> {
    if (wiped) throw new SealerError('unavailable', 'the passphrase was wiped from memory; enter it again');
    const sodium = await loadSodium();
    return sodium.crypto_pwhash(KEY_BYTES, secret, salt, use.opslimit, use.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  }

  return {
    kind: 'passphrase',
    backend: 'argon2id+xsalsa20poly1305',
    params,

    async seal(plaintext) {
      const sodium = await loadSodium();
      const salt = sodium.randombytes_buf(SALT_BYTES);
      const nonce = sodium.randombytes_buf(NONCE_BYTES);
      const key = await deriveKey(salt, params);
      try {
        const body = encodeBlobBody(params, salt, nonce, sodium.crypto_secretbox_easy(plaintext, nonce, key));
        const checksum = sodium.crypto_generichash(CHECKSUM_BYTES, body, null);
        const out = new Uint8Array(body.length + checksum.length);
        out.set(body);
        out.set(checksum, body.length);
        return out;
      } finally {
        sodium.memzero(key);
      }
    },

    async open(sealed) {
      const sodium = await loadSodium();
      const blob = decodeBlob(sealed);
      if (!constantTimeEqual(sodium.crypto_generichash(CHECKSUM_BYTES, blob.body, null), blob.checksum)) {
        throw new SealerError('corrupt', 'the sealed key is damaged: its checksum does not match');
      }
      if (!checkParams(blob)) throw new SealerError('corrupt', 'the sealed key is damaged: Argon2id limits out of range');
      const key = await deriveKey(blob.salt, blob);
      try {
        return sodium.crypto_secretbox_open_easy(blob.ciphertext, blob.nonce, key);
      } catch (error) {
        // The checksum matched, so the bytes are as written: the key, hence the passphrase, is wrong.
        throw new SealerError('wrong-passphrase', 'the passphrase does not open this key', { cause: error });
      } finally {
        sodium.memzero(key);
      }
    },

    wipe() {
      wiped = true;
      secret.fill(0);
    },
  };
}
