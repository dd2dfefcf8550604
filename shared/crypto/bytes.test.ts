import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { bytesToUint, constantTimeEqual, encodeFields, fromBase64Url, fromHex, toBase64Url, toHex, uintToBytes } from './bytes';
import { isCryptoError } from './errors';

describe('bytes', () => {
  it('round-trips big-endian integers and rejects values that do not fit', () => {
    expect(toHex(uintToBytes(0x0102n, 4))).toBe('00000102');
    expect(bytesToUint(fromHex('ffffffffffffffff'))).toBe(2n ** 64n - 1n);
    expect(() => uintToBytes(256n, 1)).toThrow(/does not fit/);
    expect(() => uintToBytes(-1n, 8)).toThrow(/does not fit/);
  });

  it('rejects malformed hex with a typed error', () => {
    for (const bad of ['abc', 'zz', '0x00']) {
      let caught: unknown;
      try {
        fromHex(bad);
      } catch (error) {
        caught = error;
      }
      expect(isCryptoError(caught, 'invalid-input')).toBe(true);
    }
  });

  it('frames fields so that moving a byte between fields changes the encoding', () => {
    const a = encodeFields([fromHex('0102'), fromHex('03')]);
    const b = encodeFields([fromHex('01'), fromHex('0203')]);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it('compares in constant time, and unequal lengths are unequal', () => {
    expect(constantTimeEqual(fromHex('0102'), fromHex('0102'))).toBe(true);
    expect(constantTimeEqual(fromHex('0102'), fromHex('0103'))).toBe(false);
    expect(constantTimeEqual(fromHex('0102'), fromHex('010200'))).toBe(false);
  });
});

describe('base64url', () => {
  it('matches Node’s encoder for every length up to 64 and round-trips', () => {
    for (let length = 0; length <= 64; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(toHex(fromBase64Url(text))).toBe(toHex(bytes));
    }
  });

  it('rejects padding, the standard alphabet, impossible lengths and non-canonical text', () => {
    for (const bad of ['AA==', 'A+/A', 'A', 'AB', 'AAB', '....']) {
      let caught: unknown;
      try {
        fromBase64Url(bad);
      } catch (error) {
        caught = error;
      }
      expect(isCryptoError(caught, 'invalid-input'), bad).toBe(true);
    }
  });
});
