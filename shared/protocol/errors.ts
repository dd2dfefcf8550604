import { z } from 'zod';

/** Every refusal the server (or a client parsing server messages) can give, each with its own code. */
export const protocolErrorCodeSchema = z.enum([
  'bad-message',
  'unsupported-version',
  'message-too-large',
  'rate-limited',
  'not-authenticated',
  'auth-timeout',
  'auth-failed',
  'nonce-reused',
  'unknown-user',
  'revoked',
  'invite-invalid',
  'invite-expired',
  'invite-used',
  'user-offline',
  'not-in-call',
  /** Too many connections are waiting to authenticate; try again later. */
  'server-busy',
  /** The server is going down; reconnect later. */
  'shutting-down',
  /** A newer connection authenticated as the same user; this one is closed. Don't reconnect in a loop. */
  'session-replaced',
  'internal',
  /** Group calls: a commit for an epoch that is no longer current; the error carries the current one. */
  'stale-epoch',
  /** Group calls: no such group, or you are not (or no longer) a member of it. */
  'not-a-member',
  /** Group calls: you (or the user named) are not on the group's signed invite list. */
  'not-invited',
  /** Group calls: the group would have more people than it may (50, or 8 without an SFU), or you are already in another group. */
  'group-full',
  /** This server cannot do what was asked (group calls on a deployment of several instances). */
  'unsupported',
  /** Meetings over the SFU: the server's Janus is down or answered something it should not. Try again. */
  'sfu-unavailable',
]);
export type ProtocolErrorCode = z.infer<typeof protocolErrorCodeSchema>;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
