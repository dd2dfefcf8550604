import { mkdir } from 'node:fs/promises';
import { constantTimeEqual, toBase64Url } from '../../../shared/crypto/bytes';
import { IDENTITY_PUBLIC_KEY_BYTES, IDENTITY_SECRET_KEY_BYTES, type IdentityKeyPair } from '../../../shared/crypto/identity';
import type { SecretSealer } from '../ports';
import type { AtomicWriteOptions } from '../storage/atomic-write';
import { withFileLock } from '../storage/file-lock';
import { writeJsonDocument } from '../storage/json-store';
import { copyAside } from '../storage/quarantine';
import { StoreError } from '../storage/store-error';
import {
  corruptError,
  existsError,
  KeystoreError,
  missingError,
  sealerMismatchError,
  sealerUnavailableError,
  wrongPassphraseError,
} from './keystore-error';
import { derivesPublicKey } from './key-pair-check';
import { KEYSTORE_FORMAT, KEYSTORE_VERSION, keystoreChecksum, keystoreFileSchema, keystorePath, type KeystoreFile } from './keystore-file';
import { readKeystore, type IdentityMetadata } from './keystore-read';
import { SealerError } from './sealer-error';

export { keystoreStatus, type IdentityMetadata, type KeystoreStatus } from './keystore-read';
export { KeystoreError, type KeystoreErrorCode } from './keystore-error';
export { keystorePath } from './keystore-file';

export interface IdentityRecord {
  readonly userId: string;
  readonly displayName: string;
  readonly serverUrl: string;
  readonly keyPair: IdentityKeyPair;
  /** ISO 8601; now, when not given. */
  readonly createdAt?: string;
}

export interface OpenedIdentity extends IdentityMetadata {
  readonly keyPair: IdentityKeyPair;
}

export interface SaveOptions {
  /**
   * Replace an existing keystore. Without it, saving over one fails with 'exists': losing a key
   * changes the user's safety number, so that takes an explicit decision. A replaced file that
   * held a different (or unreadable) key is kept as `identity.keystore.replaced-<time>`.
   */
  readonly overwrite?: boolean;
  /** Test hook, passed to the atomic write. */
  readonly beforeRename?: AtomicWriteOptions['beforeRename'];
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function fromSealerError(kind: SecretSealer['kind'], error: unknown): KeystoreError {
  if (error instanceof KeystoreError) return error;
  if (error instanceof SealerError) {
    switch (error.code) {
      case 'wrong-passphrase':
        return wrongPassphraseError(error);
      case 'corrupt':
        return corruptError(error.message, error);
      case 'weak-passphrase':
        return new KeystoreError('weak-passphrase', error.message, undefined, { cause: error });
      case 'unavailable':
        return sealerUnavailableError(kind, error.message, error);
    }
  }
  // A sealer that fails in its own way (safeStorage throws plain Errors) could not do its job.
  return sealerUnavailableError(kind, error instanceof Error ? error.message : 'unknown error', error);
}

async function checkKeyPair(keyPair: IdentityKeyPair): Promise<void> {
  const { publicKey, secretKey } = keyPair;
  if (secretKey.length !== IDENTITY_SECRET_KEY_BYTES || publicKey.length !== IDENTITY_PUBLIC_KEY_BYTES) {
    throw new KeystoreError('invalid-identity', 'not an Ed25519 identity key pair');
  }
  if (!(await derivesPublicKey(secretKey, publicKey))) {
    throw new KeystoreError('invalid-identity', 'the public key is not the secret key’s public half');
  }
}

/**
 * Seals and writes the identity. The seal is opened again before anything is written, so a sealer
 * that can seal but not open (a keychain in a bad state) fails here rather than losing the key.
 */
async function sealAndWrite(
  dataDir: string,
  record: IdentityRecord,
  sealer: SecretSealer,
  beforeRename: SaveOptions['beforeRename'],
  /** Runs once the new keystore is sealed and checked, just before it replaces the old one. */
  beforeWrite?: () => Promise<void>,
) {
  const { secretKey, publicKey } = record.keyPair;
  const sealed = await sealer.seal(secretKey).catch((error: unknown) => {
    throw fromSealerError(sealer.kind, error);
  });
  // Defence in depth for "never plaintext on disk": catches a sealer that passes its input through.
  if (containsBytes(sealed, secretKey.subarray(0, 32))) {
    throw sealerUnavailableError(sealer.kind, 'the sealer returned the key unprotected');
  }
  const reopened = await sealer.open(sealed).catch((error: unknown) => {
    throw fromSealerError(sealer.kind, error);
  });
  const roundTrips = constantTimeEqual(reopened, secretKey);
  reopened.fill(0);
  if (!roundTrips) throw sealerUnavailableError(sealer.kind, 'the sealer could not open what it sealed');

  const fields = {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    sealer: sealer.kind,
    userId: record.userId,
    displayName: record.displayName,
    serverUrl: record.serverUrl,
    publicKey: toBase64Url(publicKey),
    createdAt: record.createdAt ?? new Date().toISOString(),
    sealedSecretKey: toBase64Url(sealed),
  } as const;
  const checked = keystoreFileSchema.omit({ checksum: true }).safeParse(fields);
  if (!checked.success) {
    const field = checked.error.issues[0]?.path.join('.') ?? '?';
    throw new KeystoreError('invalid-identity', `the identity's "${field}" is not valid`);
  }
  const file: KeystoreFile = { ...checked.data, checksum: await keystoreChecksum(checked.data) };
  // New directories are private to the user; an existing data directory is left as it is.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await beforeWrite?.();
  try {
    await writeJsonDocument({ path: keystorePath(dataDir), schema: keystoreFileSchema }, file, { mode: 0o600, beforeRename });
  } catch (error) {
    if (error instanceof StoreError) throw new KeystoreError('invalid-identity', error.message, undefined, { cause: error });
    throw error;
  }
  const { sealer: kind, userId, displayName, serverUrl, createdAt } = file;
  return { sealer: kind, userId, displayName, serverUrl, createdAt, publicKey: publicKey.slice() };
}

/** Saves, or deliberately replaces, and re-seals, the keystore: one at a time per data directory. */
function withKeystoreLock<T>(dataDir: string, task: () => Promise<T>): Promise<T> {
  // A key distinct from the file itself: the atomic write takes the file's own lock inside.
  return withFileLock(`${keystorePath(dataDir)}#keystore`, task);
}

export function saveIdentity(dataDir: string, record: IdentityRecord, sealer: SecretSealer, options: SaveOptions = {}): Promise<IdentityMetadata> {
  return withKeystoreLock(dataDir, async () => {
    await checkKeyPair(record.keyPair);
    let keepOld = false;
    try {
      const existing = await readKeystore(dataDir);
      if (existing !== undefined) {
        if (options.overwrite !== true) throw existsError();
        // Re-sealing the same key keeps no copy: the old seal may be under a compromised passphrase.
        keepOld = !constantTimeEqual(existing.metadata.publicKey, record.keyPair.publicKey);
      }
    } catch (error) {
      if (!(error instanceof KeystoreError) || error.code === 'unreadable' || error.code === 'exists') throw error;
      // A damaged or future-format file is still someone's key: replace it only on request, and keep it.
      if (options.overwrite !== true) throw existsError();
      keepOld = true;
    }
    // The copy is made only once the new seal has worked, so a failed save changes nothing.
    const backUp = keepOld ? () => copyAside(keystorePath(dataDir), Date.now(), 'replaced').then(() => undefined) : undefined;
    return sealAndWrite(dataDir, record, sealer, options.beforeRename, backUp);
  });
}

/** Opens the identity. Every failure is a KeystoreError; none of them ever leads to a new key. */
export async function openIdentity(dataDir: string, sealer: SecretSealer): Promise<OpenedIdentity> {
  const stored = await readKeystore(dataDir);
  if (stored === undefined) throw missingError();
  if (stored.metadata.sealer !== sealer.kind) throw sealerMismatchError(stored.metadata.sealer);
  const secretKey = await sealer.open(stored.sealed).catch((error: unknown) => {
    throw fromSealerError(sealer.kind, error);
  });
  if (secretKey.length !== IDENTITY_SECRET_KEY_BYTES) {
    secretKey.fill(0);
    throw corruptError('the sealed key has the wrong length');
  }
  if (!(await derivesPublicKey(secretKey, stored.metadata.publicKey))) {
    secretKey.fill(0);
    throw corruptError('the sealed key does not match the public key stored with it');
  }
  return { ...stored.metadata, keyPair: { publicKey: stored.metadata.publicKey.slice(), secretKey } };
}

/** Moves the same key to another sealer (a new passphrase, or the keychain once it is available). */
export function resealIdentity(dataDir: string, from: SecretSealer, to: SecretSealer, options: Pick<SaveOptions, 'beforeRename'> = {}): Promise<IdentityMetadata> {
  return withKeystoreLock(dataDir, async () => {
    const opened = await openIdentity(dataDir, from);
    try {
      return await sealAndWrite(dataDir, opened, to, options.beforeRename);
    } finally {
      opened.keyPair.secretKey.fill(0);
    }
  });
}
