import { constantTimeEqual } from '../../../shared/crypto/bytes';
import { loadSodium } from '../../../shared/crypto/sodium';

/**
 * Whether a libsodium Ed25519 secret key (seed ‖ public half) really belongs to `publicKey`. The
 * public key is derived again from the seed: libsodium's sk_to_pk only copies the stored second
 * half, so a secret key with a foreign seed behind a matching copy would pass that check and then
 * sign with a key nobody else knows.
 */
export async function derivesPublicKey(secretKey: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  const sodium = await loadSodium();
  const seed = sodium.crypto_sign_ed25519_sk_to_seed(secretKey);
  const derived = sodium.crypto_sign_seed_keypair(seed);
  sodium.memzero(seed);
  sodium.memzero(derived.privateKey);
  const embedded = secretKey.subarray(32);
  // Both: the seed must give the stored public key, and the secret key's own copy must agree.
  return constantTimeEqual(derived.publicKey, publicKey) && constantTimeEqual(embedded, publicKey);
}
