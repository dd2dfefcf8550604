/**
 * Every failure in shared/crypto is a CryptoError with a stable code, so that callers can react to
 * the kind of failure (drop a frame, warn of a key change, end a call) without parsing messages.
 */
export type CryptoErrorCode =
  | 'crypto-not-ready'
  | 'invalid-input'
  | 'invalid-key'
  | 'sframe-truncated'
  | 'sframe-bad-header'
  | 'sframe-auth-failed'
  | 'sframe-unknown-kid'
  | 'sframe-replayed'
  | 'sframe-counter-exhausted'
  | 'media-frame-truncated'
  | 'handshake-bad-signature'
  | 'handshake-bad-commitment'
  | 'handshake-mismatch'
  | 'handshake-bad-message'
  | 'fingerprint-version-mismatch';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isCryptoError(value: unknown, code?: CryptoErrorCode): value is CryptoError {
  return value instanceof CryptoError && (code === undefined || value.code === code);
}
