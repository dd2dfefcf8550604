import { concatBytes, encodeFields, utf8Bytes } from './bytes';
import { CryptoError } from './errors';
import { loadSodium } from './sodium';

/**
 * The type byte in front of a serialized public identity key. Sealcall's identity keys are Ed25519;
 * the byte leaves room for another key type later without ambiguity in safety numbers.
 */
export const IDENTITY_KEY_TYPE_ED25519 = 0x01;
export const IDENTITY_PUBLIC_KEY_BYTES = 32;
export const SERIALIZED_IDENTITY_KEY_BYTES = 1 + IDENTITY_PUBLIC_KEY_BYTES;
export const IDENTITY_SECRET_KEY_BYTES = 64;
export const SIGNATURE_BYTES = 64;

export interface IdentityKeyPair {
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /** libsodium's 64-byte Ed25519 secret key. Lives only in the main process, sealed at rest. */
  secretKey: Uint8Array;
}

/**
 * Every signature an identity key makes names what it is for. A signature made for one purpose can
 * then never be replayed as another (an auth answer as a call invite, an invite as an accept).
 */
export type SignatureDomain = 'server-auth' | 'call-invite' | 'call-accept' | 'call-confirm' | 'group-invite' | 'group-dtls';

const DOMAIN_PREFIX = 'sealcall/v1/signature/';

export async function generateIdentityKeyPair(): Promise<IdentityKeyPair> {
  const sodium = await loadSodium();
  const { publicKey, privateKey } = sodium.crypto_sign_keypair();
  return { publicKey, secretKey: privateKey };
}

export function serializeIdentityKey(publicKey: Uint8Array): Uint8Array {
  assertPublicKey(publicKey);
  return concatBytes(Uint8Array.of(IDENTITY_KEY_TYPE_ED25519), publicKey);
}

export function parseIdentityKey(serialized: Uint8Array): Uint8Array {
  if (!(serialized instanceof Uint8Array) || serialized.length !== SERIALIZED_IDENTITY_KEY_BYTES) {
    throw new CryptoError('invalid-key', `a serialized identity key is ${SERIALIZED_IDENTITY_KEY_BYTES} bytes`);
  }
  if (serialized[0] !== IDENTITY_KEY_TYPE_ED25519) {
    throw new CryptoError('invalid-key', `unknown identity key type ${serialized[0] ?? -1}`);
  }
  return serialized.slice(1);
}

function domainMessage(domain: SignatureDomain, message: Uint8Array): Uint8Array {
  return encodeFields([utf8Bytes(DOMAIN_PREFIX + domain), message]);
}

export async function signAs(secretKey: Uint8Array, domain: SignatureDomain, message: Uint8Array): Promise<Uint8Array> {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== IDENTITY_SECRET_KEY_BYTES) {
    throw new CryptoError('invalid-key', `an identity secret key is ${IDENTITY_SECRET_KEY_BYTES} bytes`);
  }
  const sodium = await loadSodium();
  return sodium.crypto_sign_detached(domainMessage(domain, message), secretKey);
}

/** False for a bad signature; throws only for input that is malformed rather than wrong. */
export async function verifyAs(
  publicKey: Uint8Array,
  domain: SignatureDomain,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  assertPublicKey(publicKey);
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  const sodium = await loadSodium();
  return sodium.crypto_sign_verify_detached(signature, domainMessage(domain, message), publicKey);
}

/** A short, stable fingerprint of a public key for logs and admin listings (not a safety number). */
export async function keyFingerprint(publicKey: Uint8Array): Promise<string> {
  assertPublicKey(publicKey);
  const sodium = await loadSodium();
  return sodium.to_hex(sodium.crypto_generichash(16, serializeIdentityKey(publicKey), null));
}

function assertPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== IDENTITY_PUBLIC_KEY_BYTES) {
    throw new CryptoError('invalid-key', `an identity public key is ${IDENTITY_PUBLIC_KEY_BYTES} bytes`);
  }
}
