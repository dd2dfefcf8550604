import path from 'node:path';
import { z } from 'zod';
import { encodeFields, fromBase64Url, toBase64Url, utf8Bytes } from '../../../shared/crypto/bytes';
import { loadSodium } from '../../../shared/crypto/sodium';
import { base64UrlBytes, displayNameSchema, userIdSchema } from '../../../shared/protocol/fields';
import { checkServerUrl } from '../../../shared/protocol/server-url';

export const KEYSTORE_FILE_NAME = 'identity.keystore';
export const KEYSTORE_FORMAT = 'sealcall-keystore';
export const KEYSTORE_VERSION = 1;
/** Comfortably above any sealer's output for a 64-byte key; a larger file is damage. */
export const KEYSTORE_MAX_BYTES = 16 * 1024;

export function keystorePath(dataDir: string): string {
  return path.join(dataDir, KEYSTORE_FILE_NAME);
}

function isBase64Url(text: string): boolean {
  try {
    fromBase64Url(text);
    return true;
  } catch {
    return false;
  }
}

function isServerUrl(text: string): boolean {
  try {
    checkServerUrl(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * `<dataDir>/identity.keystore`. Everything but `sealedSecretKey` is in the clear, so the app can
 * show who is enrolled, and where, before it asks for a passphrase.
 */
export const keystoreFileSchema = z.strictObject({
  format: z.literal(KEYSTORE_FORMAT),
  version: z.literal(KEYSTORE_VERSION),
  sealer: z.enum(['os-keychain', 'passphrase']),
  userId: userIdSchema,
  displayName: displayNameSchema,
  serverUrl: z.string().max(2048).refine(isServerUrl, 'is not a wss:// server address'),
  publicKey: base64UrlBytes(32),
  createdAt: z.iso.datetime(),
  /** The sealer's output for the 64-byte Ed25519 secret key, URL-safe base64. */
  sealedSecretKey: z.string().min(1).max(8192).refine(isBase64Url, 'is not URL-safe base64'),
  /** BLAKE2b over all the fields above: tells a damaged file apart from a sealer that cannot open it. */
  checksum: base64UrlBytes(32),
});

export type KeystoreFile = z.infer<typeof keystoreFileSchema>;

/**
 * Not a security check (anyone who can write the file can recompute it): it catches disk damage
 * and hand edits, so the user is told "damaged" rather than "wrong passphrase" or "keychain locked".
 */
export async function keystoreChecksum(fields: Omit<KeystoreFile, 'checksum'>): Promise<string> {
  const sodium = await loadSodium();
  const encoded = encodeFields([
    utf8Bytes(`${fields.format}/v${fields.version}/checksum`),
    utf8Bytes(fields.sealer),
    utf8Bytes(fields.userId),
    utf8Bytes(fields.displayName),
    utf8Bytes(fields.serverUrl),
    utf8Bytes(fields.publicKey),
    utf8Bytes(fields.createdAt),
    utf8Bytes(fields.sealedSecretKey),
  ]);
  return toBase64Url(sodium.crypto_generichash(32, encoded, null));
}
