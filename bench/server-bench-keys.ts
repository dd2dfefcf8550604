/**
 * Deterministic identity keys for benchmark users, so the bench process (which seeds the database)
 * and its load drivers (which sign challenges) agree without passing secrets around.
 */
import { createHash } from 'node:crypto';
import { loadSodium } from '../shared/crypto/sodium';
import type { IdentityKeyPair } from '../shared/crypto/identity';

export const benchUserId = (index: number) => `bench-${index}`;

export async function benchKeys(seed: string, index: number): Promise<IdentityKeyPair> {
  const sodium = await loadSodium();
  const keySeed = createHash('sha256').update(`${seed}:${index}`).digest();
  const { publicKey, privateKey } = sodium.crypto_sign_seed_keypair(keySeed);
  return { publicKey, secretKey: privateKey };
}
