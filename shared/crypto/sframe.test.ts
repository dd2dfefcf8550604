import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bytesToUint, concatBytes, fromHex, toHex, uintToBytes } from './bytes';
import { isCryptoError, type CryptoErrorCode } from './errors';
import { nodeAesGcm } from './aes-gcm-aead.fixture';
import {
  AES_128_GCM_SHA256_128,
  decodeSFrameHeader,
  deriveSFrameKeyMaterial,
  deriveSFrameSecret,
  encodeSFrameHeader,
  MEDIA_SUITE,
  sframeDecrypt,
  sframeEncrypt,
  sframeSecret,
  SFrameReceiver,
  SFrameSender,
  wipeSFrameSecret,
  type SFrameSecret,
} from './sframe';
import { REPLAY_WINDOW_SIZE } from './replay-window';
import { loadSodium } from './sodium';
import { expectRejects, expectThrows } from './expect-rejects.fixture';

// kid and ctr are decimal strings in the fixture: as JSON numbers, values above 2^53 would be rounded.
const decimal = z.string().regex(/^\d+$/).transform((text) => BigInt(text));
const hex = z.string().regex(/^([0-9a-f]{2})*$/);
const Vectors = z.object({
  header: z.array(z.object({ kid: decimal, ctr: decimal, encoded: hex })),
  sframe: z.object({
    cipher_suite: z.literal(4),
    kid: decimal,
    ctr: decimal,
    base_key: hex,
    sframe_key_label: hex,
    sframe_salt_label: hex,
    sframe_key: hex,
    sframe_salt: hex,
    metadata: hex,
    nonce: hex,
    aad: hex,
    pt: hex,
    ct: hex,
  }),
});
const vectors = Vectors.parse(
  JSON.parse(readFileSync(new URL('./fixtures/rfc9605-vectors.json', import.meta.url), 'utf8')),
);
const v4 = vectors.sframe;
const MAX_U64 = 2n ** 64n - 1n;
const u64 = fc.bigInt({ min: 0n, max: MAX_U64 });
const HEADER_FAILURES: readonly CryptoErrorCode[] = ['sframe-auth-failed', 'sframe-bad-header', 'sframe-truncated'];

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}


function flipBit(data: Uint8Array, bit: number): Uint8Array {
  const copy = data.slice();
  const index = bit >> 3;
  copy[index] = (copy[index] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

/** The RFC's suite 0x0004 secret, with Node's AES-GCM under the same SFrame code the media suite uses. */
async function aesGcmSecret(baseKey: Uint8Array, kid: bigint): Promise<SFrameSecret> {
  const { key, salt } = await deriveSFrameKeyMaterial(baseKey, kid, AES_128_GCM_SHA256_128);
  return sframeSecret(kid, salt, nodeAesGcm(key));
}

function vectorSecret(): Promise<SFrameSecret> {
  return aesGcmSecret(fromHex(v4.base_key), v4.kid);
}

/** The media suite's cipher through libsodium's own wrapper: independent of chacha20-poly1305.ts's heap calls. */
async function rawChaCha(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const sodium = await loadSodium();
  return sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, aad, null, nonce, key);
}

/** The RFC's nonce computed independently of sframe.ts: salt XOR CTR as integers. */
function referenceNonce(salt: Uint8Array, ctr: bigint): Uint8Array<ArrayBuffer> {
  return uintToBytes(bytesToUint(salt) ^ ctr, 12) as Uint8Array<ArrayBuffer>;
}

async function rawGcm(key: Uint8Array, nonce: Uint8Array<ArrayBuffer>, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt']);
  return new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: new Uint8Array(aad) }, cryptoKey, new Uint8Array(plaintext)),
  );
}

describe('SFrame header (RFC 9605 §4.3)', () => {
  it('keeps 2^64 - 1 exact in the fixture', () => {
    expect(vectors.header.length).toBe(289);
    expect(vectors.header.filter((h) => h.ctr === MAX_U64).length).toBe(17);
    expect(vectors.header.filter((h) => h.kid === MAX_U64).length).toBe(17);
  });

  it('encodes and decodes every RFC header vector', () => {
    for (const { kid, ctr, encoded } of vectors.header) {
      expect(toHex(encodeSFrameHeader(kid, ctr))).toBe(encoded);
      const withPayload = concatBytes(fromHex(encoded), fromHex('deadbeef'));
      expect(decodeSFrameHeader(withPayload)).toEqual({ kid, ctr, length: encoded.length / 2 });
    }
  });

  it('refuses every truncation of every RFC header vector', () => {
    for (const { encoded } of vectors.header) {
      const bytes = fromHex(encoded);
      for (let length = 0; length < bytes.length; length++) {
        expect(isCryptoError(caught(() => decodeSFrameHeader(bytes.subarray(0, length))), 'sframe-truncated')).toBe(true);
      }
    }
  });

  it('refuses headers that are not minimally encoded', () => {
    // CTR 0 and 7 in an extended field, a leading zero byte, the same for the KID.
    for (const bad of ['0800', '0807', '090012', '8000', '8007', '900012', '0a000100']) {
      expect(isCryptoError(caught(() => decodeSFrameHeader(fromHex(bad))), 'sframe-bad-header'), bad).toBe(true);
    }
  });

  it('refuses KID and CTR outside 0 .. 2^64 - 1', () => {
    for (const [kid, ctr] of [
      [-1n, 0n],
      [0n, -1n],
      [2n ** 64n, 0n],
      [0n, 2n ** 64n],
    ] as const) {
      expect(isCryptoError(caught(() => encodeSFrameHeader(kid, ctr)), 'invalid-input')).toBe(true);
    }
  });

  it('round-trips any KID and CTR', () => {
    fc.assert(
      fc.property(u64, u64, (kid, ctr) => {
        const encoded = encodeSFrameHeader(kid, ctr);
        expect(decodeSFrameHeader(encoded)).toEqual({ kid, ctr, length: encoded.length });
      }),
    );
  });

  it('has one encoding per header: whatever decodes re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 17 }), (bytes) => {
        let header;
        try {
          header = decodeSFrameHeader(bytes);
        } catch (error) {
          expect(isCryptoError(error, 'sframe-truncated') || isCryptoError(error, 'sframe-bad-header')).toBe(true);
          return;
        }
        expect(toHex(encodeSFrameHeader(header.kid, header.ctr))).toBe(toHex(bytes.subarray(0, header.length)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SFrame suite 0x0004 vector (RFC 9605 Appendix C)', () => {
  it('derives the key and salt from the labels the RFC gives', async () => {
    const material = await deriveSFrameKeyMaterial(fromHex(v4.base_key), v4.kid, AES_128_GCM_SHA256_128);
    expect(toHex(material.key)).toBe(v4.sframe_key);
    expect(toHex(material.salt)).toBe(v4.sframe_salt);
    // The labels as the RFC spells them: "SFrame 1.0 Secret key " + KID (8 bytes) + suite (2 bytes).
    const suffix = concatBytes(uintToBytes(v4.kid, 8), uintToBytes(4n, 2));
    expect(toHex(concatBytes(new TextEncoder().encode('SFrame 1.0 Secret key '), suffix))).toBe(v4.sframe_key_label);
    expect(toHex(concatBytes(new TextEncoder().encode('SFrame 1.0 Secret salt '), suffix))).toBe(v4.sframe_salt_label);
  });

  it('uses the vector nonce and AAD, and produces the exact ciphertext', async () => {
    const secret = await vectorSecret();
    expect(toHex(referenceNonce(secret.salt, v4.ctr))).toBe(v4.nonce);
    const header = encodeSFrameHeader(v4.kid, v4.ctr);
    expect(toHex(concatBytes(header, fromHex(v4.metadata)))).toBe(v4.aad);

    expect(toHex(sframeEncrypt(secret, v4.kid, v4.ctr, fromHex(v4.metadata), fromHex(v4.pt)))).toBe(v4.ct);
    // The vector's nonce and AAD under WebCrypto's AES-GCM give the same bytes after the header.
    const raw = await rawGcm(fromHex(v4.sframe_key), fromHex(v4.nonce) as Uint8Array<ArrayBuffer>, fromHex(v4.aad), fromHex(v4.pt));
    expect(toHex(concatBytes(header, raw))).toBe(v4.ct);
  });

  it('decrypts the vector', async () => {
    const opened = sframeDecrypt(await vectorSecret(), fromHex(v4.metadata), fromHex(v4.ct));
    expect(opened.kid).toBe(v4.kid);
    expect(opened.ctr).toBe(v4.ctr);
    expect(toHex(opened.plaintext)).toBe(v4.pt);
  });

  it('refuses the vector under a wrong key', async () => {
    const wrong = await aesGcmSecret(fromHex('100102030405060708090a0b0c0d0e0f'), v4.kid);
    expectThrows(() => sframeDecrypt(wrong, fromHex(v4.metadata), fromHex(v4.ct)), 'sframe-auth-failed');
  });

  it("refuses the vector under the same base key's secret for another KID", async () => {
    const other = await aesGcmSecret(fromHex(v4.base_key), v4.kid + 1n);
    expectThrows(() => sframeDecrypt(other, fromHex(v4.metadata), fromHex(v4.ct)), 'sframe-auth-failed');
  });

  it('refuses a header rewritten to name another KID or CTR', async () => {
    const secret = await vectorSecret();
    const body = fromHex(v4.ct).subarray(encodeSFrameHeader(v4.kid, v4.ctr).length);
    const otherCtr = concatBytes(encodeSFrameHeader(v4.kid, v4.ctr + 1n), body);
    const otherKid = concatBytes(encodeSFrameHeader(v4.kid + 1n, v4.ctr), body);
    expectThrows(() => sframeDecrypt(secret, fromHex(v4.metadata), otherCtr), 'sframe-auth-failed');
    expectThrows(() => sframeDecrypt(secret, fromHex(v4.metadata), otherKid), 'sframe-auth-failed');
  });

  it('refuses every single-bit flip of header, ciphertext and tag', async () => {
    const secret = await vectorSecret();
    const data = fromHex(v4.ct);
    const headerBits = encodeSFrameHeader(v4.kid, v4.ctr).length * 8;
    for (let bit = 0; bit < data.length * 8; bit++) {
      const codes = bit < headerBits ? HEADER_FAILURES : 'sframe-auth-failed';
      expectThrows(() => sframeDecrypt(secret, fromHex(v4.metadata), flipBit(data, bit)), codes);
    }
  });

  it('refuses every single-bit flip of the metadata, and missing metadata', async () => {
    const secret = await vectorSecret();
    const metadata = fromHex(v4.metadata);
    for (let bit = 0; bit < metadata.length * 8; bit++) {
      expectThrows(() => sframeDecrypt(secret, flipBit(metadata, bit), fromHex(v4.ct)), 'sframe-auth-failed');
    }
    expectThrows(() => sframeDecrypt(secret, new Uint8Array(0), fromHex(v4.ct)), 'sframe-auth-failed');
  });

  it('refuses every truncation, and an extension', async () => {
    const secret = await vectorSecret();
    const data = fromHex(v4.ct);
    const shortest = encodeSFrameHeader(v4.kid, v4.ctr).length + 16;
    for (let length = 0; length < data.length; length++) {
      const code = length < shortest ? 'sframe-truncated' : 'sframe-auth-failed';
      expectThrows(() => sframeDecrypt(secret, fromHex(v4.metadata), data.subarray(0, length)), code);
    }
    expectThrows(() => sframeDecrypt(secret, fromHex(v4.metadata), concatBytes(data, fromHex('00'))), 'sframe-auth-failed');
  });
});

describe('the media suite: SFrame over ChaCha20-Poly1305 (private use 0xF001)', () => {
  it('derives a 32-byte key and the salt with the suite named in the labels', async () => {
    expect(MEDIA_SUITE.id).toBe(0xf001n);
    const baseKey = fromHex(v4.base_key.repeat(2));
    const material = await deriveSFrameKeyMaterial(baseKey, v4.kid);
    expect(material.key.length).toBe(32);
    expect(material.salt.length).toBe(12);
    // The RFC's HKDF-Expand with the label "SFrame 1.0 Secret key " + KID + 0xF001, by hand.
    const ikm = await crypto.subtle.importKey('raw', new Uint8Array(baseKey), 'HKDF', false, ['deriveBits']);
    const info = concatBytes(new TextEncoder().encode('SFrame 1.0 Secret key '), uintToBytes(v4.kid, 8), fromHex('f001'));
    const expected = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(info) }, ikm, 256);
    expect(toHex(material.key)).toBe(toHex(new Uint8Array(expected)));
    // Another suite, another key: the suite is bound into the derivation.
    const aes = await deriveSFrameKeyMaterial(baseKey, v4.kid, AES_128_GCM_SHA256_128);
    expect(toHex(material.key).startsWith(toHex(aes.key))).toBe(false);
  });

  it('round-trips any KID, CTR, metadata and plaintext, with the RFC nonce and AAD', async () => {
    const baseKey = crypto.getRandomValues(new Uint8Array(32));
    await fc.assert(
      fc.asyncProperty(
        u64,
        u64,
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 3000 }),
        async (kid, ctr, metadata, plaintext) => {
          const secret = await deriveSFrameSecret(baseKey, kid);
          const { key } = await deriveSFrameKeyMaterial(baseKey, kid);
          const data = sframeEncrypt(secret, kid, ctr, metadata, plaintext);
          const header = encodeSFrameHeader(kid, ctr);
          expect(data.length).toBe(header.length + plaintext.length + 16);
          // Same bytes as libsodium's own ChaCha20-Poly1305 with salt XOR CTR computed as integers.
          const raw = await rawChaCha(key, referenceNonce(secret.salt, ctr), concatBytes(header, metadata), plaintext);
          expect(toHex(data)).toBe(toHex(concatBytes(header, raw)));
          expect(sframeDecrypt(secret, metadata, data)).toEqual({ kid, ctr, plaintext });
          wipeSFrameSecret(secret);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses any single-byte change', async () => {
    const secret = await deriveSFrameSecret(crypto.getRandomValues(new Uint8Array(32)), 5n);
    fc.assert(
      fc.property(u64, fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (ctr, plaintext, where, delta) => {
        const data = sframeEncrypt(secret, 5n, ctr, new Uint8Array(0), plaintext);
        const tampered = data.slice();
        const index = where % data.length;
        tampered[index] = ((tampered[index] ?? 0) + delta) & 0xff;
        const headerLength = encodeSFrameHeader(5n, ctr).length;
        expectThrows(() => sframeDecrypt(secret, new Uint8Array(0), tampered), index < headerLength ? HEADER_FAILURES : 'sframe-auth-failed');
      }),
      { numRuns: 300 },
    );
  });

  it('opens nothing under a wrong key, and nothing once wiped', async () => {
    const baseKey = crypto.getRandomValues(new Uint8Array(32));
    const secret = await deriveSFrameSecret(baseKey, 3n);
    const data = sframeEncrypt(secret, 3n, 1n, fromHex('9d'), fromHex('0102030405'));
    const wrongBase = baseKey.slice();
    wrongBase[0] = (wrongBase[0] ?? 0) ^ 1;
    const wrong = await deriveSFrameSecret(wrongBase, 3n);
    expectThrows(() => sframeDecrypt(wrong, fromHex('9d'), data), 'sframe-auth-failed');
    expect(toHex(sframeDecrypt(secret, fromHex('9d'), data).plaintext)).toBe('0102030405');
    wipeSFrameSecret(secret);
    expect(toHex(secret.salt)).toBe('00'.repeat(12));
    expectThrows(() => sframeDecrypt(secret, fromHex('9d'), data), 'invalid-key');
    expectThrows(() => sframeEncrypt(secret, 3n, 2n, fromHex('9d'), fromHex('01')), 'invalid-key');
  });

  it('works at the ends of the KID and CTR range, and on frames up to 1 MB', async () => {
    for (const kid of [0n, 7n, 8n, MAX_U64]) {
      const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), kid);
      for (const ctr of [0n, 7n, 8n, 2n ** 32n, MAX_U64]) {
        const data = sframeEncrypt(secret, kid, ctr, fromHex('01'), fromHex('0203'));
        expect(sframeDecrypt(secret, fromHex('01'), data)).toEqual({ kid, ctr, plaintext: fromHex('0203') });
      }
    }
    const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), 1n);
    for (const size of [0, 1, 65_536, 1_000_000, 100]) {
      const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
      const opened = sframeDecrypt(secret, new Uint8Array(0), sframeEncrypt(secret, 1n, BigInt(size), new Uint8Array(0), plaintext));
      expect(opened.plaintext.length).toBe(size);
      expect(toHex(opened.plaintext.subarray(-64))).toBe(toHex(plaintext.subarray(-64)));
    }
  });

  it('refuses inputs it cannot encrypt correctly', async () => {
    const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), v4.kid);
    expectThrows(() => sframeEncrypt(secret, v4.kid + 1n, 0n, new Uint8Array(0), new Uint8Array(1)), 'invalid-input');
    expectThrows(() => sframeEncrypt(secret, v4.kid, -1n, new Uint8Array(0), new Uint8Array(1)), 'invalid-input');
    expectThrows(() => sframeEncrypt(secret, v4.kid, 2n ** 64n, new Uint8Array(0), new Uint8Array(1)), 'invalid-input');
    // The media suite's key is 32 bytes: a shorter base key could not carry its strength.
    await expectRejects(deriveSFrameSecret(new Uint8Array(31), 0n), 'invalid-key');
    await expectRejects(deriveSFrameSecret(new Uint8Array(32), -1n), 'invalid-input');
    await expectRejects(deriveSFrameSecret(new Uint8Array(32), 2n ** 64n), 'invalid-input');
    await expectRejects(deriveSFrameKeyMaterial(new Uint8Array(15), 0n, AES_128_GCM_SHA256_128), 'invalid-key');
  });

  it('refuses empty and header-only data as truncated', async () => {
    const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), v4.kid);
    expectThrows(() => sframeDecrypt(secret, new Uint8Array(0), new Uint8Array(0)), 'sframe-truncated');
    expectThrows(() => sframeDecrypt(secret, new Uint8Array(0), encodeSFrameHeader(v4.kid, 0n)), 'sframe-truncated');
  });
});

describe('SFrameSender', () => {
  it('numbers frames 0, 1, 2, …', async () => {
    const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), 9n);
    const sender = new SFrameSender(secret);
    expect(sender.kid).toBe(9n);
    const frames = Array.from({ length: 301 }, (_, i) => sender.encrypt(new Uint8Array(0), uintToBytes(BigInt(i), 2)));
    expect(frames.map((data) => decodeSFrameHeader(data).ctr)).toEqual(Array.from({ length: 301 }, (_, i) => BigInt(i)));
    expect(sender.nextCounter).toBe(301n);
  });

  it('stops at its last counter instead of reusing one', async () => {
    const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), 10n);
    const sender = new SFrameSender(secret, { lastCounter: 2n });
    for (let i = 0; i < 3; i++) sender.encrypt(new Uint8Array(0), fromHex('00'));
    expectThrows(() => sender.encrypt(new Uint8Array(0), fromHex('00')), 'sframe-counter-exhausted');
    expectThrows(() => sender.encrypt(new Uint8Array(0), fromHex('00')), 'sframe-counter-exhausted');
    expect(sender.nextCounter).toBe(3n);
  });

  it('refuses a second sender for the same secret, which would restart at counter 0', async () => {
    const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), 11n);
    const sender = new SFrameSender(secret);
    expect(sender.nextCounter).toBe(0n);
    expect(isCryptoError(caught(() => new SFrameSender(secret)), 'invalid-input')).toBe(true);
    expect(isCryptoError(caught(() => new SFrameSender(secret, { lastCounter: -1n })), 'invalid-input')).toBe(true);
  });

  it('puts the metadata in clear before the SFrame on request, authenticated the same way', async () => {
    const secret = await deriveSFrameSecret(fromHex(v4.base_key.repeat(2)), 12n);
    const sender = new SFrameSender(secret);
    const metadata = fromHex('a1a2a3');
    const framed = sender.encrypt(metadata, fromHex('0102030405'), { metadataFirst: true });
    expect(toHex(framed.subarray(0, 3))).toBe('a1a2a3');
    const opened = sframeDecrypt(secret, metadata, framed.subarray(3));
    expect(toHex(opened.plaintext)).toBe('0102030405');
    expect(opened.ctr).toBe(0n);
    expectThrows(() => sframeDecrypt(secret, fromHex('a1a2a4'), framed.subarray(3)), 'sframe-auth-failed');
  });
});

describe('SFrameReceiver', () => {
  async function pair(kid: bigint): Promise<{ sender: SFrameSender; receiver: SFrameReceiver }> {
    const base = fromHex(v4.base_key.repeat(2));
    return { sender: new SFrameSender(await deriveSFrameSecret(base, kid)), receiver: new SFrameReceiver(await deriveSFrameSecret(base, kid)) };
  }
  const none = new Uint8Array(0);

  it('refuses a replayed frame, and opens an out-of-order one inside the window', async () => {
    const { sender, receiver } = await pair(20n);
    const frames = Array.from({ length: 5 }, (_, i) => sender.encrypt(none, uintToBytes(BigInt(i), 2)));
    const [first, second, third, fourth, fifth] = frames as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expect(toHex(receiver.open(none, first).plaintext)).toBe('0000');
    expectThrows(() => receiver.open(none, first), 'sframe-replayed');
    expect(receiver.open(none, fifth).ctr).toBe(4n);
    // Late, but within the window: opens once.
    expect(toHex(receiver.open(none, third).plaintext)).toBe('0002');
    expectThrows(() => receiver.open(none, third), 'sframe-replayed');
    expect(receiver.open(none, second).ctr).toBe(1n);
    expect(receiver.open(none, fourth).ctr).toBe(3n);
    for (const frame of frames) expectThrows(() => receiver.open(none, frame), 'sframe-replayed');
  });

  it('refuses a frame a whole window behind the newest', async () => {
    const { sender, receiver } = await pair(21n);
    const old = sender.encrypt(none, fromHex('01'));
    let newest = old;
    for (let i = 0; i < REPLAY_WINDOW_SIZE; i++) newest = sender.encrypt(none, fromHex('02'));
    expect(receiver.open(none, newest).ctr).toBe(BigInt(REPLAY_WINDOW_SIZE));
    expectThrows(() => receiver.open(none, old), 'sframe-replayed');
  });

  it('moves the window only for frames that authenticate', async () => {
    const { sender, receiver } = await pair(22n);
    const early = sender.encrypt(none, fromHex('01'));
    // A forgery with a far counter: right KID, wrong tag. It must not push the real frame out of the window.
    const forged = concatBytes(encodeSFrameHeader(22n, 1n << 40n), new Uint8Array(20));
    expectThrows(() => receiver.open(none, forged), 'sframe-auth-failed');
    expect(toHex(receiver.open(none, early).plaintext)).toBe('01');
    // A frame that fails its tag does not use up its counter either: the genuine one still opens.
    const genuine = sender.encrypt(none, fromHex('02'));
    const tampered = genuine.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expectThrows(() => receiver.open(none, tampered), 'sframe-auth-failed');
    expect(toHex(receiver.open(none, genuine).plaintext)).toBe('02');
  });

  it('keeps one window per KID: the same counter under another KID is another frame', async () => {
    const a = await pair(23n);
    const b = await pair(24n);
    expect(a.receiver.open(none, a.sender.encrypt(none, fromHex('0a'))).ctr).toBe(0n);
    expect(b.receiver.open(none, b.sender.encrypt(none, fromHex('0b'))).ctr).toBe(0n);
    expectThrows(() => a.receiver.open(none, b.sender.encrypt(none, fromHex('0b'))), 'sframe-auth-failed');
  });

  it('authenticates the context ahead of the metadata, without sending it', async () => {
    const { sender, receiver } = await pair(25n);
    const context = fromHex('07');
    const metadata = fromHex('a1a2');
    const framed = sender.encrypt(metadata, fromHex('0102'), { metadataFirst: true, context });
    expect(framed.length).toBe(metadata.length + encodeSFrameHeader(25n, 0n).length + 2 + 16);
    // The RFC's view: the metadata is context || metadata.
    expect(toHex(sframeDecrypt(receiver.secret, concatBytes(context, metadata), framed.subarray(2)).plaintext)).toBe('0102');
    expectThrows(() => receiver.open(metadata, framed.subarray(2)), 'sframe-auth-failed');
    expectThrows(() => receiver.open(metadata, framed.subarray(2), { context: fromHex('08') }), 'sframe-auth-failed');
    expect(toHex(receiver.open(metadata, framed.subarray(2), { context }).plaintext)).toBe('0102');
  });
});
