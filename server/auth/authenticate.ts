import { fromBase64Url } from '../../shared/crypto/bytes';
import { keyFingerprint, parseIdentityKey } from '../../shared/crypto/identity';
import { verifyAuthChallenge, verifyEnrollChallenge } from '../../shared/crypto/server-auth';
import type { Auth, Enroll, ProtocolErrorCode } from '../../shared/protocol';
import type { Store } from '../store/store';
import { hashInviteCode } from './invite-code';

export interface AuthenticatedUser {
  userId: string;
  displayName: string;
  /** Serialized (type byte + 32 bytes). */
  identityKey: Uint8Array;
  /** Set when this socket just enrolled a device: the directory must learn the (new) key. */
  enrolled: boolean;
  /** For an enrolment: the directory version it made. */
  directoryVersion?: number;
}

export type AuthOutcome = { ok: true; user: AuthenticatedUser } | { ok: false; code: ProtocolErrorCode; message: string };

const refuse = (code: ProtocolErrorCode, message: string): AuthOutcome => ({ ok: false, code, message });

/** Checks an enrolled device's answer to this socket's challenge. */
export async function authenticate(store: Store, serverUrl: string, nonce: Uint8Array, message: Auth): Promise<AuthOutcome> {
  const user = await store.findUser(message.userId);
  if (!user) return refuse('unknown-user', `no user '${message.userId}' is enrolled on this server`);
  if (user.revokedAt !== null) return refuse('revoked', `'${message.userId}' has been revoked by an administrator`);
  if (!user.identityKey) return refuse('unknown-user', `'${message.userId}' has not enrolled a device yet: use the enrollment link`);
  const valid = await verifyAuthChallenge(parseIdentityKey(user.identityKey), serverUrl, message.userId, nonce, fromBase64Url(message.signature));
  if (!valid) {
    return refuse('auth-failed', "the signature does not match this user's key and this connection's challenge");
  }
  return { ok: true, user: { userId: user.id, displayName: user.displayName, identityKey: user.identityKey, enrolled: false } };
}

const INVITE_REFUSALS = {
  'invite-invalid': 'this enrollment code is not valid (mistyped, or replaced by a newer invite)',
  'invite-expired': 'this enrollment code has expired: ask your administrator for a new link',
  'invite-used': 'this enrollment code has already been used: ask your administrator for a new link',
  revoked: 'this user has been revoked by an administrator',
} as const;

/**
 * Enrols a device with a one-time code. The signature over this socket's challenge proves the
 * device holds the secret half of the key it registers; the code is spent only after that check,
 * so a garbled request does not burn a valid link.
 */
export async function enroll(store: Store, serverUrl: string, nonce: Uint8Array, message: Enroll, now: number = Date.now()): Promise<AuthOutcome> {
  const codeHash = hashInviteCode(message.code);
  const state = await store.inviteState(codeHash, now);
  if (state !== 'valid') return refuse(state, INVITE_REFUSALS[state]);
  const identityKey = fromBase64Url(message.identityKey);
  let publicKey: Uint8Array;
  try {
    publicKey = parseIdentityKey(identityKey);
  } catch {
    return refuse('bad-message', 'identityKey is not a serialized Ed25519 identity key');
  }
  if (!(await verifyEnrollChallenge(publicKey, serverUrl, nonce, fromBase64Url(message.signature)))) {
    return refuse('auth-failed', "the signature does not match the identity key and this connection's challenge");
  }
  const outcome = await store.redeemInvite({ codeHash, identityKey, deviceName: message.deviceName, keyFingerprint: await keyFingerprint(publicKey) }, now);
  if (!outcome.ok) return refuse(outcome.reason, INVITE_REFUSALS[outcome.reason]);
  return { ok: true, user: { userId: outcome.userId, displayName: outcome.displayName, identityKey, enrolled: true, directoryVersion: outcome.directoryVersion } };
}
