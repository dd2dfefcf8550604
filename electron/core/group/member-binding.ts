/**
 * How an MLS leaf is bound to a Sealcall user (docs/group-calls.md): a BasicCredential whose
 * identity is the UTF-8 user id, and a signature key that IS the user's identity Ed25519 key. MLS
 * signs under its own labels ("MLS 1.0 ..."), and Sealcall's signAs under its own domains, so
 * neither signature can be replayed as the other. A leaf is accepted only when its key equals the
 * key this client has pinned for that user id.
 */
import type { AuthenticationService, Credential } from 'ts-mls';
import { constantTimeEqual } from '../../../shared/crypto/bytes';
import { IDENTITY_PUBLIC_KEY_BYTES, IDENTITY_SECRET_KEY_BYTES, type IdentityKeyPair } from '../../../shared/crypto/identity';
import { GroupError, type GroupErrorCode } from './group-error';

/**
 * The identity key this client has pinned for a user id, or null when there is none it may use
 * (an unknown user, or a changed key the user has not yet confirmed: the key-change gate comes
 * first).
 */
export type PinnedKeyLookup = (userId: string) => Uint8Array | null | Promise<Uint8Array | null>;

/** Who this client is in a group: its user id and its identity key pair. */
export interface LocalMember {
  readonly userId: string;
  readonly identity: IdentityKeyPair;
}

const MAX_USER_ID_BYTES = 256;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function credentialFor(userId: string): Credential {
  const identity = utf8.encode(userId);
  if (identity.length === 0 || identity.length > MAX_USER_ID_BYTES) {
    throw new GroupError('invalid-input', `a user id is 1 to ${MAX_USER_ID_BYTES} bytes`);
  }
  return { credentialType: 'basic', identity };
}

/** The user id a credential names, or null when it is not one of ours. */
export function userIdOf(credential: Credential): string | null {
  if (credential.credentialType !== 'basic') return null;
  if (credential.identity.length === 0 || credential.identity.length > MAX_USER_ID_BYTES) return null;
  try {
    return strictUtf8.decode(credential.identity);
  } catch {
    return null;
  }
}

/**
 * The MLS signature key pair: the identity key itself. ts-mls signs with a raw 32-byte Ed25519
 * seed, which is the first half of libsodium's 64-byte secret key. The copy is the session's to
 * zero.
 */
export function signatureKeyPair(identity: IdentityKeyPair): { signKey: Uint8Array; publicKey: Uint8Array } {
  if (identity.secretKey.length !== IDENTITY_SECRET_KEY_BYTES || identity.publicKey.length !== IDENTITY_PUBLIC_KEY_BYTES) {
    throw new GroupError('invalid-input', 'an identity key pair is a 64-byte secret and a 32-byte public key');
  }
  return { signKey: identity.secretKey.slice(0, 32), publicKey: Uint8Array.from(identity.publicKey) };
}

export interface LeafRefusal {
  readonly code: GroupErrorCode;
  readonly message: string;
}

/** Checks one leaf (credential, signature key) against the pins; null when it is acceptable. */
export async function checkLeaf(credential: Credential, signatureKey: Uint8Array, pinnedKey: PinnedKeyLookup): Promise<LeafRefusal | null> {
  const userId = userIdOf(credential);
  if (userId === null) return { code: 'unknown-member', message: 'a group member has a credential that is not a Sealcall user id' };
  const pinned = await pinnedKey(userId);
  if (pinned === null) return { code: 'unknown-member', message: `${userId} has no verified identity key on this device` };
  if (pinned.length !== signatureKey.length || !constantTimeEqual(pinned, signatureKey)) {
    return { code: 'member-key-mismatch', message: `${userId}'s MLS key is not the identity key pinned for ${userId}` };
  }
  return null;
}

/**
 * ts-mls's authentication service, called for every leaf it meets (KeyPackages in Adds, the
 * Welcome's ratchet tree, commit and update paths). ts-mls only hears yes or no; the reason is
 * kept here so the caller gets a clear error instead of "could not validate credential".
 */
export class LeafAuthenticator implements AuthenticationService {
  readonly #pinnedKey: PinnedKeyLookup;
  #refusal: LeafRefusal | null = null;

  constructor(pinnedKey: PinnedKeyLookup) {
    this.#pinnedKey = pinnedKey;
  }

  async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    const refusal = await checkLeaf(credential, signaturePublicKey, this.#pinnedKey);
    if (refusal !== null) this.#refusal ??= refusal;
    return refusal === null;
  }

  /** The first refusal since the last call, and forgets it. */
  takeRefusal(): LeafRefusal | null {
    const refusal = this.#refusal;
    this.#refusal = null;
    return refusal;
  }
}
