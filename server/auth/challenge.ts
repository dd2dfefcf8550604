import { randomBytes } from 'node:crypto';
import { AUTH_NONCE_BYTES } from '../../shared/protocol';

/** A fresh challenge for one socket. 256 random bits: no two sockets ever share one. */
export function newChallengeNonce(): Uint8Array {
  return new Uint8Array(randomBytes(AUTH_NONCE_BYTES));
}
