import { beforeAll, describe, expect, it } from 'vitest';
import { utf8Bytes } from './bytes';
import { isCryptoError } from './errors';
import {
  IDENTITY_KEY_TYPE_ED25519,
  generateIdentityKeyPair,
  keyFingerprint,
  parseIdentityKey,
  serializeIdentityKey,
  signAs,
  verifyAs,
  type IdentityKeyPair,
} from './identity';
import { signAuthChallenge, signEnrollChallenge, verifyAuthChallenge, verifyEnrollChallenge } from './server-auth';

let alice: IdentityKeyPair;
let bob: IdentityKeyPair;

beforeAll(async () => {
  alice = await generateIdentityKeyPair();
  bob = await generateIdentityKeyPair();
});

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isCryptoError(error) ? error.code : 'not a CryptoError';
  }
  return undefined;
}

describe('identity keys', () => {
  it('serializes as one type byte and 32 key bytes, and parses back', () => {
    const serialized = serializeIdentityKey(alice.publicKey);
    expect(serialized).toHaveLength(33);
    expect(serialized[0]).toBe(IDENTITY_KEY_TYPE_ED25519);
    expect(parseIdentityKey(serialized)).toEqual(alice.publicKey);
  });

  it('rejects malformed serialized keys with a typed error', () => {
    expect(thrownCode(() => parseIdentityKey(new Uint8Array(32)))).toBe('invalid-key');
    expect(thrownCode(() => parseIdentityKey(Uint8Array.of(0x05, ...alice.publicKey)))).toBe('invalid-key');
    expect(thrownCode(() => serializeIdentityKey(new Uint8Array(31)))).toBe('invalid-key');
  });

  it('verifies its own signatures, and no others', async () => {
    const message = utf8Bytes('hello');
    const signature = await signAs(alice.secretKey, 'call-invite', message);
    expect(await verifyAs(alice.publicKey, 'call-invite', message, signature)).toBe(true);
    expect(await verifyAs(bob.publicKey, 'call-invite', message, signature)).toBe(false);
    expect(await verifyAs(alice.publicKey, 'call-invite', utf8Bytes('hellO'), signature)).toBe(false);
    expect(await verifyAs(alice.publicKey, 'call-invite', message, signature.slice(1))).toBe(false);
  });

  it('separates domains: a signature for one purpose fails for every other', async () => {
    const message = utf8Bytes('same bytes');
    const signature = await signAs(alice.secretKey, 'server-auth', message);
    for (const domain of ['call-invite', 'call-accept', 'call-confirm', 'group-invite', 'group-dtls'] as const) {
      expect(await verifyAs(alice.publicKey, domain, message, signature)).toBe(false);
    }
  });

  it('refuses a secret key of the wrong size', async () => {
    await expect(signAs(new Uint8Array(32), 'server-auth', utf8Bytes('x'))).rejects.toMatchObject({ code: 'invalid-key' });
  });

  it('gives a stable 32-hex-digit key fingerprint that differs between keys', async () => {
    const first = await keyFingerprint(alice.publicKey);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(await keyFingerprint(alice.publicKey)).toBe(first);
    expect(await keyFingerprint(bob.publicKey)).not.toBe(first);
  });
});

describe('server challenge answers', () => {
  const nonce = new Uint8Array(32).fill(3);
  const url = 'https://sealcall.example.com';

  it('verify for the same server, user and nonce only', async () => {
    const signature = await signAuthChallenge(alice.secretKey, url, 'alice', nonce);
    expect(await verifyAuthChallenge(alice.publicKey, url, 'alice', nonce, signature)).toBe(true);
    expect(await verifyAuthChallenge(alice.publicKey, 'https://evil.example.com', 'alice', nonce, signature)).toBe(false);
    expect(await verifyAuthChallenge(alice.publicKey, url, 'bob', nonce, signature)).toBe(false);
    expect(await verifyAuthChallenge(alice.publicKey, url, 'alice', new Uint8Array(32), signature)).toBe(false);
    expect(await verifyAuthChallenge(bob.publicKey, url, 'alice', nonce, signature)).toBe(false);
  });

  it('keep enrollment proofs and auth answers apart', async () => {
    const enrollProof = await signEnrollChallenge(alice.secretKey, url, nonce);
    expect(await verifyEnrollChallenge(alice.publicKey, url, nonce, enrollProof)).toBe(true);
    expect(await verifyAuthChallenge(alice.publicKey, url, '', nonce, enrollProof)).toBe(false);
    expect(await verifyEnrollChallenge(bob.publicKey, url, nonce, enrollProof)).toBe(false);
  });
});
