import { bytesToUint, constantTimeEqual, fromBase64Url, toBase64Url, utf8Bytes } from './bytes';
import { CryptoError } from './errors';
import { sodiumNow } from './sodium';

/**
 * Safety numbers: libsignal's numeric fingerprint (NumericFingerprintGenerator, display version 0),
 * so that the digits users read to each other mean what Signal users already know them to mean.
 *
 * Per party, libsignal (Java `getFingerprint`, Rust `Fingerprint::get_fingerprint`) starts from the
 * buffer 0x0000 || key || id and then runs `iterations` rounds of hash = SHA-512(hash || key). The
 * first round therefore hashes 0x0000 || key || id || key, and there are exactly 5200 SHA-512 calls
 * in all, not 5200 on top of an initial hash. libsignal's published test vector (checked in the
 * tests) pins this down.
 */

export interface SafetyNumberParty {
  /** The user id, hashed as UTF-8. */
  id: string;
  /** The serialized identity key (type byte + public key), hashed as given whatever its length. */
  identityKey: Uint8Array;
}

const FINGERPRINT_VERSION = Uint8Array.of(0x00, 0x00);
const ITERATIONS = 5200;
const SHA512_BYTES = 64;
const DISPLAY_CHUNKS = 6;
const CHUNK_BYTES = 5;
const CHUNK_MODULUS = 100_000n;
const SAFETY_NUMBER_DIGITS = 60;
const GROUP_DIGITS = 5;

/**
 * Sealcall's own scannable form, instead of libsignal's protobuf: shared/ has no protobuf, and a
 * fixed layout needs no parser that could be fed hostile input. Layout:
 *   version (1 byte) || sender's fingerprint (32 bytes) || the sender's contact's fingerprint (32 bytes)
 * where a fingerprint is the first 32 bytes of the party's iterated hash, as in libsignal.
 * The version comes first so that a newer or older form is recognised as such whatever its length.
 */
export const SCANNABLE_VERSION = 1;
const SCANNABLE_FINGERPRINT_BYTES = 32;
export const SCANNABLE_BYTES = 1 + 2 * SCANNABLE_FINGERPRINT_BYTES;

/** Matches a lone surrogate: TextEncoder turns every one into U+FFFD, so two distinct ids could hash alike. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function checkParty(value: unknown, role: string): SafetyNumberParty {
  if (typeof value !== 'object' || value === null) {
    throw new CryptoError('invalid-input', `the ${role} party must be an object`);
  }
  const { id, identityKey } = value as { id?: unknown; identityKey?: unknown };
  if (typeof id !== 'string' || id.length === 0) {
    throw new CryptoError('invalid-input', `the ${role} id must be a non-empty string`);
  }
  if (LONE_SURROGATE.test(id)) {
    throw new CryptoError('invalid-input', `the ${role} id is not well-formed Unicode`);
  }
  if (!(identityKey instanceof Uint8Array) || identityKey.length === 0) {
    throw new CryptoError('invalid-input', `the ${role} identity key must be a non-empty Uint8Array`);
  }
  return { id, identityKey };
}

/** The party's full 64-byte iterated hash. */
function fingerprintHash(party: SafetyNumberParty): Uint8Array {
  const sodium = sodiumNow();
  const key = party.identityKey;
  const id = utf8Bytes(party.id);

  const first = new Uint8Array(FINGERPRINT_VERSION.length + key.length + id.length + key.length);
  first.set(FINGERPRINT_VERSION, 0);
  first.set(key, FINGERPRINT_VERSION.length);
  first.set(id, FINGERPRINT_VERSION.length + key.length);
  first.set(key, FINGERPRINT_VERSION.length + key.length + id.length);
  let hash = sodium.crypto_hash_sha512(first);

  // One buffer for the remaining rounds: the key half never changes, only the hash half does.
  const round = new Uint8Array(SHA512_BYTES + key.length);
  round.set(key, SHA512_BYTES);
  for (let i = 1; i < ITERATIONS; i++) {
    round.set(hash, 0);
    hash = sodium.crypto_hash_sha512(round);
  }
  return hash;
}

function displayDigits(hash: Uint8Array): string {
  let digits = '';
  for (let chunk = 0; chunk < DISPLAY_CHUNKS; chunk++) {
    const bytes = hash.subarray(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES);
    digits += (bytesToUint(bytes) % CHUNK_MODULUS).toString().padStart(GROUP_DIGITS, '0');
  }
  return digits;
}

/**
 * The 60-digit safety number of a conversation. Both sides get the same digits, because the two
 * halves are put in a fixed (lexicographic) order rather than local-first.
 */
export function safetyNumber(local: SafetyNumberParty, remote: SafetyNumberParty): string {
  const mine = displayDigits(fingerprintHash(checkParty(local, 'local')));
  const theirs = displayDigits(fingerprintHash(checkParty(remote, 'remote')));
  return mine < theirs ? mine + theirs : theirs + mine;
}

/**
 * One party's 30-digit half of every safety number it is part of: what Signal shows as "your"
 * half, so a user can tell which digits are theirs when comparing.
 */
export function ownSafetyDigits(party: SafetyNumberParty): string {
  return displayDigits(fingerprintHash(checkParty(party, 'local')));
}

/** 12 groups of 5 digits separated by single spaces, the way users read the number aloud. */
export function formatSafetyNumber(digits: string): string {
  const value: unknown = digits;
  if (typeof value !== 'string' || value.length !== SAFETY_NUMBER_DIGITS || !/^[0-9]+$/.test(value)) {
    throw new CryptoError('invalid-input', `a safety number is exactly ${SAFETY_NUMBER_DIGITS} digits`);
  }
  const groups: string[] = [];
  for (let i = 0; i < SAFETY_NUMBER_DIGITS; i += GROUP_DIGITS) groups.push(value.slice(i, i + GROUP_DIGITS));
  return groups.join(' ');
}

/** What this side shows as a QR code: version || my fingerprint || my contact's fingerprint. */
export function scannableFingerprint(local: SafetyNumberParty, remote: SafetyNumberParty): Uint8Array {
  const mine = fingerprintHash(checkParty(local, 'local'));
  const theirs = fingerprintHash(checkParty(remote, 'remote'));
  const out = new Uint8Array(SCANNABLE_BYTES);
  out[0] = SCANNABLE_VERSION;
  out.set(mine.subarray(0, SCANNABLE_FINGERPRINT_BYTES), 1);
  out.set(theirs.subarray(0, SCANNABLE_FINGERPRINT_BYTES), 1 + SCANNABLE_FINGERPRINT_BYTES);
  return out;
}

function checkScannable(value: unknown, whose: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0) {
    throw new CryptoError('invalid-input', `${whose} scannable fingerprint must be a non-empty Uint8Array`);
  }
  // Checked before the length, so that a form from an older or newer Sealcall is reported as such.
  if (value[0] !== SCANNABLE_VERSION) {
    throw new CryptoError(
      'fingerprint-version-mismatch',
      `${whose} scannable fingerprint has version ${value[0] ?? -1}, expected ${SCANNABLE_VERSION}`,
    );
  }
  if (value.length !== SCANNABLE_BYTES) {
    throw new CryptoError('invalid-input', `${whose} scannable fingerprint must be ${SCANNABLE_BYTES} bytes`);
  }
  return value;
}

/**
 * True when `scanned` (shown by the other party, so their local is my remote and vice versa) shows
 * the same two keys as `mine`. False means someone's view of a key differs: do not mark verified.
 * Throws 'invalid-input' on a malformed form and 'fingerprint-version-mismatch' on another version.
 */
export function compareScannable(mine: Uint8Array, scanned: Uint8Array): boolean {
  const own = checkScannable(mine, 'my');
  const other = checkScannable(scanned, 'the scanned');
  const ownLocal = own.subarray(1, 1 + SCANNABLE_FINGERPRINT_BYTES);
  const ownRemote = own.subarray(1 + SCANNABLE_FINGERPRINT_BYTES);
  const otherLocal = other.subarray(1, 1 + SCANNABLE_FINGERPRINT_BYTES);
  const otherRemote = other.subarray(1 + SCANNABLE_FINGERPRINT_BYTES);
  // Both comparisons always run, so the time taken does not tell which half differed.
  const theirLocalIsMyRemote = constantTimeEqual(otherLocal, ownRemote);
  const theirRemoteIsMyLocal = constantTimeEqual(otherRemote, ownLocal);
  return theirLocalIsMyRemote && theirRemoteIsMyLocal;
}

/** Text for a QR code: URL-safe base64 without padding, so it survives deep links and copy-paste. */
export function scannableToText(scannable: Uint8Array): string {
  return toBase64Url(checkScannable(scannable, 'the'));
}

/** The inverse of scannableToText; rejects text that is not a well-formed scannable fingerprint. */
export function scannableFromText(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    throw new CryptoError('invalid-input', 'a scannable fingerprint text is URL-safe base64');
  }
  return checkScannable(bytes, 'the decoded');
}
