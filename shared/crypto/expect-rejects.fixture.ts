import { expect } from 'vitest';
import { isCryptoError, type CryptoErrorCode } from './errors';

/** The outcome was a CryptoError whose code is one of `codes`, and no value. */
function expectCryptoError(value: unknown, error: unknown, codes: CryptoErrorCode | readonly CryptoErrorCode[]): void {
  const allowed = typeof codes === 'string' ? [codes] : codes;
  expect(value).toBeUndefined();
  expect(
    allowed.some((code) => isCryptoError(error, code)),
    `expected ${allowed.join(' | ')}, got ${String(error)}`,
  ).toBe(true);
}

/** Rejects with a CryptoError whose code is one of `codes`, and never yields a value. */
export async function expectRejects(promise: Promise<unknown>, codes: CryptoErrorCode | readonly CryptoErrorCode[]): Promise<void> {
  let value: unknown;
  let error: unknown;
  try {
    value = await promise;
  } catch (thrown) {
    error = thrown;
  }
  expectCryptoError(value, error, codes);
}

/** Throws a CryptoError whose code is one of `codes`, and never returns a value. */
export function expectThrows(run: () => unknown, codes: CryptoErrorCode | readonly CryptoErrorCode[]): void {
  let value: unknown;
  let error: unknown;
  try {
    value = run();
  } catch (thrown) {
    error = thrown;
  }
  expectCryptoError(value, error, codes);
}
