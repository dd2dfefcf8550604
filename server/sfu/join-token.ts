import { createHmac, randomBytes } from 'node:crypto';

/*
 * Janus's signed tokens (token_auth with token_auth_secret): "<expiry>,<realm>,<descriptors>:<sig>",
 * where sig is base64 HMAC-SHA1 of everything before the colon under the secret Janus and the
 * Sealcall server share, and expiry is in seconds. A seat holds two:
 * - the core token (realm `janus`), sent with every Janus request: Janus opens a session only
 *   for it, until it expires, and attaches only to the plugins it names (`janus.plugin.videoroom`);
 * - the room token (realm `janus.plugin.videoroom`), sent in the join: a room with signed_tokens
 *   takes it only if it names `room=<id>`, and the room's allowed list must hold it.
 * `member=` names the participant id a token was issued for, so that the server can find a
 * member's tokens on the allowed list and revoke them; `n=` makes every token unique.
 */

export interface JoinTokenFields {
  room: number;
  participantId: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

function sign(secret: string, parts: readonly string[]): string {
  const data = [...parts, `n=${randomBytes(9).toString('base64url')}`].join(',');
  return `${data}:${createHmac('sha1', secret).update(data).digest('base64')}`;
}

/** For the Janus API itself: a session, and the VideoRoom plugin only. */
export function signCoreToken(secret: string, fields: JoinTokenFields): string {
  return sign(secret, [String(fields.expiresAt), 'janus', 'janus.plugin.videoroom', `member=${fields.participantId}`]);
}

/** For the join of one room. */
export function signRoomToken(secret: string, fields: JoinTokenFields): string {
  return sign(secret, [String(fields.expiresAt), 'janus.plugin.videoroom', `room=${fields.room}`, `member=${fields.participantId}`]);
}

/** The participant id a token on a room's allowed list was issued for, if it is one of ours. */
export function tokenMember(token: string): number | undefined {
  const data = token.split(':', 1)[0] ?? '';
  const member = data.split(',').find((part) => part.startsWith('member='));
  if (member === undefined) return undefined;
  const id = Number(member.slice('member='.length));
  return Number.isSafeInteger(id) ? id : undefined;
}

/** The expiry (seconds since the epoch) a token names. */
export function tokenExpiry(token: string): number | undefined {
  const expiry = Number(token.split(',', 1)[0]);
  return Number.isSafeInteger(expiry) ? expiry : undefined;
}
