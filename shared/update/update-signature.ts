import { concatBytes, utf8Bytes } from '../crypto/bytes';
import { loadSodium } from '../crypto/sodium';
import { UPDATE_MANIFEST_FORMAT } from './update-manifest';

/*
 * The company's update-signing key signs the manifest's exact bytes behind a prefix naming what is
 * signed, so that no other Ed25519 signature made with the same key (or a key reused elsewhere)
 * can pass as a signed release.
 */
const SIGNATURE_CONTEXT = utf8Bytes(`${UPDATE_MANIFEST_FORMAT}\0`);

export const UPDATE_PUBLIC_KEY_BYTES = 32;
export const UPDATE_SIGNATURE_BYTES = 64;

/** The public key as the enterprise config carries it: 32 bytes in standard base64, 44 characters. */
export const UPDATE_PUBLIC_KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

function signedMessage(manifestBytes: Uint8Array): Uint8Array {
  return concatBytes(SIGNATURE_CONTEXT, manifestBytes);
}

export async function signUpdateManifest(manifestBytes: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array> {
  const sodium = await loadSodium();
  return sodium.crypto_sign_detached(signedMessage(manifestBytes), secretKey);
}

/** True only for a signature by exactly this key over exactly these bytes. */
export async function verifyUpdateManifest(manifestBytes: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  if (signature.length !== UPDATE_SIGNATURE_BYTES || publicKey.length !== UPDATE_PUBLIC_KEY_BYTES) return false;
  const sodium = await loadSodium();
  try {
    return sodium.crypto_sign_verify_detached(signature, signedMessage(manifestBytes), publicKey);
  } catch {
    // libsodium throws, rather than answering false, for some malformed keys.
    return false;
  }
}

export async function encodeUpdatePublicKey(publicKey: Uint8Array): Promise<string> {
  const sodium = await loadSodium();
  return sodium.to_base64(publicKey, sodium.base64_variants.ORIGINAL);
}

/** The key from the enterprise config; throws RangeError when it is not 32 bytes of canonical base64. */
export async function decodeUpdatePublicKey(text: string): Promise<Uint8Array> {
  if (!UPDATE_PUBLIC_KEY_PATTERN.test(text)) throw new RangeError('not an update public key: 44 characters of base64 expected');
  const sodium = await loadSodium();
  return sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
}
