/**
 * The group security code of a group call: digits from the MLS epoch authenticator (RFC 9420
 * §8.7), which every member of an epoch has and nobody outside it can compute. Members who read
 * the same code aloud share one epoch, so no one sits between them. It changes with every epoch.
 * Same digit scheme as the safety number: 5 bytes to 5 digits (the modulo bias, 2^40 mod 10^5 out
 * of 2^40, is negligible), shown as groups of 5.
 */
import { bytesToUint } from './bytes';
import { CryptoError } from './errors';

export const GROUP_CODE_GROUPS = 4;
const GROUP_DIGITS = 5;
const CHUNK_BYTES = 5;
const CHUNK_MODULUS = 100_000n;
/** RFC 9420's epoch_authenticator is KDF.Nh bytes: 32 for ciphersuite 0x0003. */
const MIN_AUTHENTICATOR_BYTES = GROUP_CODE_GROUPS * CHUNK_BYTES;

/** 20 digits, as groups of five separated by single spaces. */
export function groupSecurityCode(epochAuthenticator: Uint8Array): string {
  if (!(epochAuthenticator instanceof Uint8Array) || epochAuthenticator.length < MIN_AUTHENTICATOR_BYTES) {
    throw new CryptoError('invalid-input', `an epoch authenticator has at least ${MIN_AUTHENTICATOR_BYTES} bytes`);
  }
  const groups: string[] = [];
  for (let chunk = 0; chunk < GROUP_CODE_GROUPS; chunk++) {
    const bytes = epochAuthenticator.subarray(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES);
    groups.push((bytesToUint(bytes) % CHUNK_MODULUS).toString().padStart(GROUP_DIGITS, '0'));
  }
  return groups.join(' ');
}
