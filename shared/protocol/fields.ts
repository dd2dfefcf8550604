import { z } from 'zod';
import { fromBase64Url } from '../crypto/bytes';
import { PROTOCOL_VERSION } from './version';

/** Binary fields travel as URL-safe base64 without padding, checked for their decoded length. */
export function base64UrlBytes(length: number) {
  return z
    .string()
    .max(Math.ceil((length * 4) / 3))
    .refine((text) => decodedLength(text) === length, { message: `expected ${length} bytes as URL-safe base64` });
}

function decodedLength(text: string): number {
  try {
    return fromBase64Url(text).length;
  } catch {
    return -1;
  }
}

/**
 * A user id as IT assigns it: usually the mail address or login. Lower case, so one person cannot
 * appear twice as "Alice" and "alice".
 */
export const userIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._@+-]*$/, 'a user id is lower-case letters, digits and . _ @ + -');

export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((name) => !/\p{Cc}/u.test(name), 'a display name has no control characters');

/** Call ids are random (128 bits or more), chosen by the caller. */
export const callIdSchema = z.string().max(64).regex(/^[A-Za-z0-9_-]{22,64}$/, 'a call id is 22 to 64 URL-safe characters');

/** A client-chosen id that the server echoes in an error, so the client knows which request failed. */
export const requestIdSchema = z.string().min(1).max(64);

export const versionField = z.literal(PROTOCOL_VERSION);

export const presenceSchema = z.enum(['online', 'busy', 'offline']);
export type Presence = z.infer<typeof presenceSchema>;
