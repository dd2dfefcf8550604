import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8Bytes } from './bytes';
import { chacha20Poly1305 } from './chacha20-poly1305';
import { expectThrows } from './expect-rejects.fixture';
import { loadSodium } from './sodium';

// RFC 8439 §2.8.2, the AEAD_CHACHA20_POLY1305 example.
const KEY = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
const NONCE = fromHex('070000004041424344454647');
const AAD = fromHex('50515253c0c1c2c3c4c5c6c7');
const PLAINTEXT = utf8Bytes("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
const SEALED =
  'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
  '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
  '3ff4def08e4b7a9de576d26586cec64b6116' +
  '1ae10b594f09e26a7e902ecbd0600691';

describe('ChaCha20-Poly1305 on libsodium\'s heap', () => {
  it('gives the RFC 8439 example, with the AAD in parts and the output at an offset', async () => {
    const aead = chacha20Poly1305(await loadSodium(), KEY);
    const out = new Uint8Array(3 + PLAINTEXT.length + 16).fill(0xee);
    aead.seal(NONCE, [AAD.subarray(0, 5), AAD.subarray(5)], PLAINTEXT, out, 3);
    expect(toHex(out.subarray(0, 3))).toBe('eeeeee');
    expect(toHex(out.subarray(3))).toBe(SEALED);
    const opened = aead.open(NONCE, [AAD], fromHex(SEALED));
    expect(opened === false ? 'refused' : toHex(opened)).toBe(toHex(PLAINTEXT));
  });

  it('opens into a caller\'s buffer at an offset, and leaves it untouched when the tag does not verify', async () => {
    const aead = chacha20Poly1305(await loadSodium(), KEY);
    const out = new Uint8Array(2 + PLAINTEXT.length).fill(0xee);
    expect(aead.openInto(NONCE, [AAD], fromHex(SEALED), out, 2)).toBe(true);
    expect(toHex(out.subarray(0, 2))).toBe('eeee');
    expect(toHex(out.subarray(2))).toBe(toHex(PLAINTEXT));
    const tampered = fromHex(SEALED);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const untouched = new Uint8Array(PLAINTEXT.length).fill(0xee);
    expect(aead.openInto(NONCE, [AAD], tampered, untouched, 0)).toBe(false);
    expect(untouched.every((byte) => byte === 0xee)).toBe(true);
    expectThrows(() => aead.openInto(NONCE, [AAD], fromHex(SEALED), new Uint8Array(PLAINTEXT.length), 1), 'invalid-input');
  });

  it('refuses a flipped bit anywhere, another AAD, another nonce and another key', async () => {
    const sodium = await loadSodium();
    const aead = chacha20Poly1305(sodium, KEY);
    const sealed = fromHex(SEALED);
    for (let bit = 0; bit < sealed.length * 8; bit += 7) {
      const tampered = sealed.slice();
      tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(aead.open(NONCE, [AAD], tampered)).toBe(false);
    }
    expect(aead.open(NONCE, [AAD.subarray(1)], sealed)).toBe(false);
    expect(aead.open(fromHex('070000004041424344454648'), [AAD], sealed)).toBe(false);
    const otherKey = KEY.slice();
    otherKey[31] = 0;
    expect(chacha20Poly1305(sodium, otherKey).open(NONCE, [AAD], sealed)).toBe(false);
    expect(aead.open(NONCE, [AAD], sealed.subarray(0, 15))).toBe(false);
  });

  it('keeps its own copy of the key, and stops working once wiped', async () => {
    const key = KEY.slice();
    const aead = chacha20Poly1305(await loadSodium(), key);
    key.fill(0);
    expect(aead.open(NONCE, [AAD], fromHex(SEALED))).not.toBe(false);
    aead.wipe();
    aead.wipe();
    expectThrows(() => {
      aead.open(NONCE, [AAD], fromHex(SEALED));
    }, 'invalid-key');
    expectThrows(() => {
      aead.seal(NONCE, [], PLAINTEXT, new Uint8Array(200), 0);
    }, 'invalid-key');
  });

  it('refuses a key, nonce or output of the wrong size', async () => {
    const sodium = await loadSodium();
    expectThrows(() => chacha20Poly1305(sodium, new Uint8Array(16)), 'invalid-key');
    const aead = chacha20Poly1305(sodium, KEY);
    expectThrows(() => {
      aead.seal(new Uint8Array(8), [], PLAINTEXT, new Uint8Array(200), 0);
    }, 'invalid-input');
    expectThrows(() => {
      aead.seal(NONCE, [], PLAINTEXT, new Uint8Array(PLAINTEXT.length + 15), 0);
    }, 'invalid-input');
  });

  it('seals and opens frames larger than its scratch space, and small ones after them', async () => {
    const aead = chacha20Poly1305(await loadSodium(), KEY);
    for (const size of [2_000_000, 10, 70_000]) {
      const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 13) & 0xff);
      const sealed = new Uint8Array(size + 16);
      aead.seal(NONCE, [AAD], plaintext, sealed, 0);
      const opened = aead.open(NONCE, [AAD], sealed);
      expect(opened === false ? -1 : opened.length).toBe(size);
      expect(opened === false ? '' : toHex(opened.subarray(-32))).toBe(toHex(plaintext.subarray(-32)));
    }
  });
});
