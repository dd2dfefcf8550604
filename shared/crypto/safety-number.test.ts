import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes';
import { isCryptoError, type CryptoErrorCode } from './errors';
import {
  SCANNABLE_BYTES,
  SCANNABLE_VERSION,
  compareScannable,
  formatSafetyNumber,
  ownSafetyDigits,
  safetyNumber,
  scannableFingerprint,
  scannableFromText,
  scannableToText,
} from './safety-number';
import { loadSodium } from './sodium';

/**
 * A from-scratch reading of libsignal's NumericFingerprintGenerator on node:crypto, sharing no code
 * with the module: the buffer starts as 0x0000 || key || id and each of the 5200 rounds hashes
 * (buffer || key).
 */
function referenceHash(id: string, key: Uint8Array): Buffer {
  let buffer = Buffer.concat([Buffer.from([0, 0]), key, Buffer.from(id, 'utf8')]);
  for (let i = 0; i < 5200; i++) buffer = createHash('sha512').update(buffer).update(key).digest();
  return buffer;
}

function referenceDigits(hash: Buffer): string {
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    digits += String(hash.readUIntBE(chunk * 5, 5) % 100000).padStart(5, '0');
  }
  return digits;
}

function referenceSafetyNumber(aId: string, aKey: Uint8Array, bId: string, bKey: Uint8Array): string {
  const a = referenceDigits(referenceHash(aId, aKey));
  const b = referenceDigits(referenceHash(bId, bKey));
  return a < b ? a + b : b + a;
}

function codeOf(run: () => unknown): CryptoErrorCode | 'no-error' | 'not-a-crypto-error' {
  try {
    run();
  } catch (error) {
    return isCryptoError(error) ? error.code : 'not-a-crypto-error';
  }
  return 'no-error';
}

function key(fill: number): Uint8Array {
  const out = new Uint8Array(33).fill(fill);
  out[0] = 0x01;
  return out;
}

// libsignal's own test vector (rust/protocol/src/fingerprint.rs, fingerprint_test_v1, 5200 iterations).
const SIGNAL_ALICE = { id: '+14152222222', identityKey: fromHex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868') };
const SIGNAL_BOB = { id: '+14153333333', identityKey: fromHex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b') };
const SIGNAL_DISPLAY = '300354477692869396892869876765458257569162576843440918079131';
const SIGNAL_ALICE_FPRINT = '1e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df';
const SIGNAL_BOB_FPRINT = 'd62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d';

const ALICE = { id: 'alice@example.com', identityKey: key(0x11) };
const ZOE = { id: 'zoë@example.com', identityKey: key(0x22) };
// Computed once with referenceSafetyNumber; a change to both implementations would still fail here.
const ALICE_ZOE = '495374380822217531440431551214885435167498513971624568351421';

const party = fc.record({
  id: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
  identityKey: fc.uint8Array({ minLength: 1, maxLength: 48 }),
});

beforeAll(async () => {
  await loadSodium();
});

describe('safetyNumber', () => {
  it("matches libsignal's published test vector", () => {
    expect(safetyNumber(SIGNAL_ALICE, SIGNAL_BOB)).toBe(SIGNAL_DISPLAY);
    expect(referenceSafetyNumber(SIGNAL_ALICE.id, SIGNAL_ALICE.identityKey, SIGNAL_BOB.id, SIGNAL_BOB.identityKey)).toBe(
      SIGNAL_DISPLAY,
    );
  });

  it('keeps its regression value', () => {
    expect(safetyNumber(ALICE, ZOE)).toBe(ALICE_ZOE);
    expect(referenceSafetyNumber(ALICE.id, ALICE.identityKey, ZOE.id, ZOE.identityKey)).toBe(ALICE_ZOE);
  });

  it('is the same on both sides, is 60 digits, and agrees with the reference', () => {
    fc.assert(
      fc.property(party, party, (a, b) => {
        const ab = safetyNumber(a, b);
        expect(safetyNumber(b, a)).toBe(ab);
        expect(ab).toMatch(/^[0-9]{60}$/);
        expect(ab).toBe(referenceSafetyNumber(a.id, a.identityKey, b.id, b.identityKey));
      }),
      { numRuns: 20 },
    );
  });

  it("splits into each party's own 30 digits", () => {
    const display = SIGNAL_DISPLAY;
    const halves = [display.slice(0, 30), display.slice(30)];
    expect(halves).toContain(ownSafetyDigits(SIGNAL_ALICE));
    expect(halves).toContain(ownSafetyDigits(SIGNAL_BOB));
    expect(ownSafetyDigits(SIGNAL_ALICE)).not.toBe(ownSafetyDigits(SIGNAL_BOB));
  });

  it('changes when either key or either id changes', () => {
    const base = safetyNumber(ALICE, ZOE);
    const flipped = ZOE.identityKey.slice();
    flipped[32] = (flipped[32] ?? 0) ^ 0x01;
    expect(safetyNumber(ALICE, { ...ZOE, identityKey: flipped })).not.toBe(base);
    expect(safetyNumber({ ...ALICE, identityKey: key(0x12) }, ZOE)).not.toBe(base);
    expect(safetyNumber(ALICE, { ...ZOE, id: 'zoe@example.com' })).not.toBe(base);
    expect(safetyNumber({ ...ALICE, id: 'alice@example.org' }, ZOE)).not.toBe(base);
  });

  it('hashes ids as UTF-8, emoji included', () => {
    for (const id of ['zoë@example.com', '🦭@example.com', '名前@例え.jp']) {
      const other = { id: 'bob@example.com', identityKey: key(0x33) };
      const me = { id, identityKey: key(0x44) };
      expect(safetyNumber(me, other)).toBe(referenceSafetyNumber(id, me.identityKey, other.id, other.identityKey));
    }
    // Precomposed and decomposed ë are different byte strings, hence different numbers.
    const composed = safetyNumber({ ...ZOE, id: 'zo\u00eb@example.com' }, ALICE);
    const decomposed = safetyNumber({ ...ZOE, id: 'zoe\u0308@example.com' }, ALICE);
    expect(composed).not.toBe(decomposed);
  });

  it('rejects malformed parties with a typed error', () => {
    const bad: unknown[] = [
      { id: '', identityKey: key(1) },
      { id: 'a', identityKey: new Uint8Array(0) },
      { id: 'a', identityKey: [1, 2, 3] },
      { id: 'a', identityKey: 'AQID' },
      { id: 42, identityKey: key(1) },
      { id: 'lone \ud800 surrogate', identityKey: key(1) },
      null,
      'alice',
    ];
    for (const value of bad) {
      const asParty = value as { id: string; identityKey: Uint8Array };
      expect(codeOf(() => safetyNumber(asParty, ZOE))).toBe('invalid-input');
      expect(codeOf(() => safetyNumber(ZOE, asParty))).toBe('invalid-input');
      expect(codeOf(() => scannableFingerprint(asParty, ZOE))).toBe('invalid-input');
    }
  });
});

describe('formatSafetyNumber', () => {
  it('shows 12 groups of 5', () => {
    expect(formatSafetyNumber(ALICE_ZOE)).toBe('49537 43808 22217 53144 04315 51214 88543 51674 98513 97162 45683 51421');
    expect(formatSafetyNumber(ALICE_ZOE).replaceAll(' ', '')).toBe(ALICE_ZOE);
  });

  it('rejects anything that is not exactly 60 digits', () => {
    const bad: unknown[] = [
      '',
      ALICE_ZOE.slice(1),
      ALICE_ZOE + '0',
      formatSafetyNumber(ALICE_ZOE),
      ALICE_ZOE.slice(0, 59) + 'a',
      '٠'.repeat(60),
      123,
      undefined,
    ];
    for (const value of bad) expect(codeOf(() => formatSafetyNumber(value as string))).toBe('invalid-input');
  });
});

describe('scannable fingerprint', () => {
  let aliceShows: Uint8Array = new Uint8Array(0);
  let zoeShows: Uint8Array = new Uint8Array(0);
  beforeAll(() => {
    aliceShows = scannableFingerprint(ALICE, ZOE);
    zoeShows = scannableFingerprint(ZOE, ALICE);
  });

  it('is version || my fingerprint || their fingerprint, with the libsignal hashes', () => {
    const alice = scannableFingerprint(SIGNAL_ALICE, SIGNAL_BOB);
    expect(alice.length).toBe(SCANNABLE_BYTES);
    expect(toHex(alice)).toBe('0' + String(SCANNABLE_VERSION) + SIGNAL_ALICE_FPRINT + SIGNAL_BOB_FPRINT);
  });

  it("matches the counterpart's form", () => {
    expect(compareScannable(aliceShows, zoeShows)).toBe(true);
    expect(compareScannable(zoeShows, aliceShows)).toBe(true);
  });

  it('does not match a form with another key or id', () => {
    const mallory = { ...ALICE, identityKey: key(0x66) };
    expect(compareScannable(aliceShows, scannableFingerprint(ZOE, mallory))).toBe(false);
    expect(compareScannable(aliceShows, scannableFingerprint({ ...ZOE, identityKey: key(0x23) }, ALICE))).toBe(false);
    expect(compareScannable(aliceShows, scannableFingerprint({ ...ZOE, id: 'zoe@example.com' }, ALICE))).toBe(false);
  });

  it('does not match a form from the same side (not swapped)', () => {
    expect(compareScannable(aliceShows, aliceShows)).toBe(false);
    expect(compareScannable(aliceShows, scannableFingerprint(ALICE, ZOE))).toBe(false);
  });

  it('rejects malformed forms with typed errors', () => {
    expect(codeOf(() => compareScannable(aliceShows, zoeShows.slice(0, -1)))).toBe('invalid-input');
    expect(codeOf(() => compareScannable(aliceShows, Uint8Array.of(...zoeShows, 0)))).toBe('invalid-input');
    expect(codeOf(() => compareScannable(aliceShows, new Uint8Array(0)))).toBe('invalid-input');
    expect(codeOf(() => compareScannable(aliceShows, [...zoeShows] as unknown as Uint8Array))).toBe('invalid-input');
    expect(codeOf(() => compareScannable(aliceShows.slice(0, 10), zoeShows))).toBe('invalid-input');
    const otherVersion = zoeShows.slice();
    otherVersion[0] = SCANNABLE_VERSION + 1;
    expect(codeOf(() => compareScannable(aliceShows, otherVersion))).toBe('fingerprint-version-mismatch');
    // libsignal's protobuf form starts with 0x08: recognised as another version, not misread.
    expect(codeOf(() => compareScannable(aliceShows, fromHex('080112220a20')))).toBe('fingerprint-version-mismatch');
  });

  it('round-trips through QR text and rejects bad text', () => {
    const text = scannableToText(zoeShows);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(compareScannable(aliceShows, scannableFromText(text))).toBe(true);
    for (const bad of ['', 'not base64!', text + '=', text.slice(0, -4), 'AgAA']) {
      expect(codeOf(() => scannableFromText(bad))).not.toBe('no-error');
    }
    expect(codeOf(() => scannableFromText('not base64!'))).toBe('invalid-input');
    expect(codeOf(() => scannableFromText(text.slice(0, -4)))).toBe('invalid-input');
  });
});
