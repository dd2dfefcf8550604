import { defaultCryptoProvider, getCiphersuiteFromName, getCiphersuiteImpl, type CiphersuiteImpl, type CiphersuiteName } from 'ts-mls';

/**
 * 0x0003, MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519: Ed25519 like Sealcall's identity
 * keys (so a leaf's signature key can be the identity key), and ChaCha20-Poly1305 like the media.
 */
export const GROUP_CIPHERSUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519';

let suite: Promise<CiphersuiteImpl> | undefined;

/** ts-mls's implementation of the suite: WebCrypto for Ed25519, X25519 and HKDF, noble for ChaCha20. */
export function groupCipherSuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(GROUP_CIPHERSUITE), defaultCryptoProvider);
  return suite;
}
