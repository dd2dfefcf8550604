import { describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium';
import { CHECKSUM_BYTES } from './passphrase-blob';
import {
  createPassphraseSealer,
  MIN_PASSPHRASE_LENGTH,
  normalizePassphrase,
  PWHASH_INTERACTIVE,
  PWHASH_MODERATE,
  sealedParams,
} from './passphrase-sealer';
import { SealerError, type SealerErrorCode } from './sealer-error';

const PASSPHRASE = 'correct horse battery staple';
const secret = Uint8Array.from({ length: 64 }, (_, index) => index * 3);

async function codeOf(promise: Promise<unknown>): Promise<SealerErrorCode | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (error instanceof SealerError) return error.code;
    throw error;
  }
}

function syncCodeOf(action: () => unknown): SealerErrorCode | 'no error' {
  try {
    action();
    return 'no error';
  } catch (error) {
    if (error instanceof SealerError) return error.code;
    throw error;
  }
}

/** A blob with different header fields but a valid checksum, as an attacker or a bug could write. */
async function withHeader(blob: Uint8Array, edit: (view: DataView) => void): Promise<Uint8Array> {
  const sodium = await loadSodium();
  const out = blob.slice();
  edit(new DataView(out.buffer));
  const bodyEnd = out.length - CHECKSUM_BYTES;
  out.set(sodium.crypto_generichash(CHECKSUM_BYTES, out.subarray(0, bodyEnd), null), bodyEnd);
  return out;
}

describe('passphrase sealer', () => {
  it('uses libsodium’s own INTERACTIVE and MODERATE limits', async () => {
    const sodium = await loadSodium();
    expect(PWHASH_INTERACTIVE).toEqual({ opslimit: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, memlimit: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE });
    expect(PWHASH_MODERATE).toEqual({ opslimit: sodium.crypto_pwhash_OPSLIMIT_MODERATE, memlimit: sodium.crypto_pwhash_MEMLIMIT_MODERATE });
    expect(sodium.crypto_pwhash_ALG_ARGON2ID13).toBe(2);
  });

  it('round-trips, with a fresh salt and nonce on every seal', async () => {
    const sealer = createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE);
    expect(sealer).toMatchObject({ kind: 'passphrase', backend: 'argon2id+xsalsa20poly1305' });
    const first = await sealer.seal(secret);
    const second = await sealer.seal(secret);
    expect(first).not.toEqual(second);
    expect(await sealer.open(first)).toEqual(secret);
    expect(await createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE).open(second)).toEqual(secret);
    expect(sealedParams(first)).toEqual(PWHASH_INTERACTIVE);
  });

  it('opens a blob sealed with other limits: they travel in the blob', async () => {
    const blob = await createPassphraseSealer(PASSPHRASE, { opslimit: 3, memlimit: PWHASH_INTERACTIVE.memlimit }).seal(secret);
    expect(await createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE).open(blob)).toEqual(secret);
  });

  it('tells a wrong passphrase apart from a damaged blob', async () => {
    const blob = await createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE).seal(secret);
    expect(await codeOf(createPassphraseSealer('correct horse battery stapler', PWHASH_INTERACTIVE).open(blob))).toBe('wrong-passphrase');
    for (const index of [0, 4, 5, 8, 20, 40, 60, blob.length - 20, blob.length - 1]) {
      const flipped = blob.slice();
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      expect(await codeOf(createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE).open(flipped)), `byte ${index}`).toBe('corrupt');
    }
    const sealer = createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE);
    expect(await codeOf(sealer.open(blob.subarray(0, blob.length - 1)))).toBe('corrupt');
    expect(await codeOf(sealer.open(blob.subarray(0, 20)))).toBe('corrupt');
    expect(await codeOf(sealer.open(new Uint8Array(0)))).toBe('corrupt');
    expect(await codeOf(sealer.open(new Uint8Array(5000)))).toBe('corrupt');
  });

  it('refuses cost limits from a blob that would hang or exhaust memory, before deriving anything', async () => {
    const blob = await createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE).seal(secret);
    const sealer = createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE);
    const hugeMemory = await withHeader(blob, (view) => {
      view.setUint32(10, 0xffffffff);
    });
    const hugeOps = await withHeader(blob, (view) => {
      view.setUint32(6, 1_000_000);
    });
    const weak = await withHeader(blob, (view) => {
      view.setUint32(6, 1);
    });
    const started = performance.now();
    for (const bad of [hugeMemory, hugeOps, weak]) expect(await codeOf(sealer.open(bad))).toBe('corrupt');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses a passphrase shorter than 8 characters, counting characters as a user sees them', () => {
    expect(MIN_PASSPHRASE_LENGTH).toBe(8);
    for (const weak of ['', 'short', '1234567', ' '.repeat(12), 'e\u0301'.repeat(7), '👩‍👩‍👧'.repeat(7)]) {
      expect(syncCodeOf(() => createPassphraseSealer(weak, PWHASH_INTERACTIVE)), JSON.stringify(weak)).toBe('weak-passphrase');
    }
    expect(syncCodeOf(() => createPassphraseSealer('x'.repeat(1025), PWHASH_INTERACTIVE))).toBe('weak-passphrase');
    expect(syncCodeOf(() => createPassphraseSealer('12345678', PWHASH_INTERACTIVE))).toBe('no error');
  });

  it('treats composed and decomposed accents as the same passphrase', async () => {
    expect(normalizePassphrase('caf\u00e9 au lait')).toBe(normalizePassphrase('cafe\u0301 au lait'));
    const blob = await createPassphraseSealer('caf\u00e9 au lait', PWHASH_INTERACTIVE).seal(secret);
    expect(await createPassphraseSealer('cafe\u0301 au lait', PWHASH_INTERACTIVE).open(blob)).toEqual(secret);
  });

  it('refuses limits below INTERACTIVE or absurdly high when sealing', () => {
    expect(() => createPassphraseSealer(PASSPHRASE, { opslimit: 1, memlimit: PWHASH_INTERACTIVE.memlimit })).toThrow(RangeError);
    expect(() => createPassphraseSealer(PASSPHRASE, { opslimit: 3, memlimit: 2 ** 31 })).toThrow(RangeError);
  });

  it('cannot seal or open once wiped', async () => {
    const sealer = createPassphraseSealer(PASSPHRASE, PWHASH_INTERACTIVE);
    const blob = await sealer.seal(secret);
    sealer.wipe();
    expect(await codeOf(sealer.open(blob))).toBe('unavailable');
    expect(await codeOf(sealer.seal(secret))).toBe('unavailable');
  });

  it('works with the production default (MODERATE) limits', async () => {
    const sealer = createPassphraseSealer(PASSPHRASE);
    expect(sealer.params).toEqual(PWHASH_MODERATE);
    const sealStarted = performance.now();
    const blob = await sealer.seal(secret);
    const sealMs = performance.now() - sealStarted;
    const openStarted = performance.now();
    expect(await sealer.open(blob)).toEqual(secret);
    const openMs = performance.now() - openStarted;
    expect(sealedParams(blob)).toEqual(PWHASH_MODERATE);
    console.info(`passphrase sealer, MODERATE limits: seal ${sealMs.toFixed(0)} ms, open ${openMs.toFixed(0)} ms`);
  });
});
