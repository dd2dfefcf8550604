import { createHash, randomBytes } from 'node:crypto';
import { toBase64Url } from '../../shared/crypto/bytes';

/** 256 bits: far beyond guessing, and 43 characters, which still fits comfortably in a link. */
const INVITE_CODE_BYTES = 32;

export function newInviteCode(): string {
  return toBase64Url(randomBytes(INVITE_CODE_BYTES));
}

/**
 * Only this hash is stored. The code is random and long, so a plain SHA-256 is enough: there is no
 * low-entropy secret for a slow hash to protect.
 */
export function hashInviteCode(code: string): Uint8Array {
  return createHash('sha256').update(`sealcall/v1/invite-code:${code}`).digest();
}

export function enrollmentLink(serverUrl: string, code: string): string {
  return `sealcall://enroll?${new URLSearchParams({ server: serverUrl, code }).toString()}`;
}
