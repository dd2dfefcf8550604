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
  'internal',
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
