import { loadSodium } from '../../../shared/crypto/sodium';

/**
 * A MAC key for one of the core's files, derived from the identity's secret seed, so that only
 * this identity can write a file the core will believe. `context` (exactly 8 characters, as
 * libsodium's KDF wants) keeps each file's key apart. The caller wipes the key when done.
 */
export async function fileMacKey(identitySecretKey: Uint8Array, context: string): Promise<Uint8Array> {
  const sodium = await loadSodium();
  const seed = sodium.crypto_sign_ed25519_sk_to_seed(identitySecretKey);
  try {
    return sodium.crypto_kdf_derive_from_key(sodium.crypto_auth_KEYBYTES, 1, context, seed);
  } finally {
    sodium.memzero(seed);
  }
}
