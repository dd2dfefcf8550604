import { encodeFields, utf8Bytes } from './bytes';
import { signAs, verifyAs } from './identity';

/**
 * What a device signs to answer a server's challenge. It names the server's URL and the user, so
 * an answer captured by one server cannot be replayed to another, or for another account.
 */
export function authChallengeMessage(serverUrl: string, userId: string, nonce: Uint8Array): Uint8Array {
  return encodeFields([utf8Bytes('sealcall/v1/server-auth'), utf8Bytes(serverUrl), utf8Bytes(userId), nonce]);
}

export function signAuthChallenge(secretKey: Uint8Array, serverUrl: string, userId: string, nonce: Uint8Array): Promise<Uint8Array> {
  return signAs(secretKey, 'server-auth', authChallengeMessage(serverUrl, userId, nonce));
}

export function verifyAuthChallenge(
  publicKey: Uint8Array,
  serverUrl: string,
  userId: string,
  nonce: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  return verifyAs(publicKey, 'server-auth', authChallengeMessage(serverUrl, userId, nonce), signature);
}

/**
 * What a new device signs when it enrolls: proof that it holds the secret half of the key it
 * registers. It does not know its user id yet (the server reads it from the enrollment code).
 */
export function enrollChallengeMessage(serverUrl: string, nonce: Uint8Array): Uint8Array {
  return encodeFields([utf8Bytes('sealcall/v1/server-enroll'), utf8Bytes(serverUrl), nonce]);
}

export function signEnrollChallenge(secretKey: Uint8Array, serverUrl: string, nonce: Uint8Array): Promise<Uint8Array> {
  return signAs(secretKey, 'server-auth', enrollChallengeMessage(serverUrl, nonce));
}

export function verifyEnrollChallenge(publicKey: Uint8Array, serverUrl: string, nonce: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verifyAs(publicKey, 'server-auth', enrollChallengeMessage(serverUrl, nonce), signature);
}
