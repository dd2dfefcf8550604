import { fromBase64Url } from '../../../shared/crypto/bytes';
import { readJsonDocument } from '../storage/json-store';
import { StoreError } from '../storage/store-error';
import { corruptError, KeystoreError, unreadableError, unsupportedVersionError } from './keystore-error';
import {
  KEYSTORE_MAX_BYTES,
  KEYSTORE_VERSION,
  keystoreChecksum,
  keystoreFileSchema,
  keystorePath,
  type KeystoreFile,
} from './keystore-file';

/** What the clear part of the keystore says; readable without the passphrase or the keychain. */
export interface IdentityMetadata {
  readonly sealer: 'os-keychain' | 'passphrase';
  readonly userId: string;
  readonly displayName: string;
  readonly serverUrl: string;
  readonly publicKey: Uint8Array;
  readonly createdAt: string;
}

export interface StoredKeystore {
  readonly file: KeystoreFile;
  readonly metadata: IdentityMetadata;
  readonly sealed: Uint8Array;
}

function fromStoreError(error: StoreError): KeystoreError {
  const detail = error.field === undefined ? error.problem : `"${error.field}" ${error.problem}`;
  switch (error.code) {
    case 'unreadable':
      return unreadableError(error.problem, error);
    case 'unsupported-version':
      return unsupportedVersionError(detail);
    default:
      return corruptError(detail, error);
  }
}

/** The keystore file checked for shape and checksum, without touching the secret; undefined when absent. */
export async function readKeystore(dataDir: string): Promise<StoredKeystore | undefined> {
  let file: KeystoreFile | undefined;
  try {
    file = await readJsonDocument({
      path: keystorePath(dataDir),
      schema: keystoreFileSchema,
      version: KEYSTORE_VERSION,
      maxBytes: KEYSTORE_MAX_BYTES,
    });
  } catch (error) {
    throw error instanceof StoreError ? fromStoreError(error) : error;
  }
  if (file === undefined) return undefined;
  const { checksum, ...fields } = file;
  if ((await keystoreChecksum(fields)) !== checksum) {
    throw corruptError('its checksum does not match its contents');
  }
  return {
    file,
    sealed: fromBase64Url(file.sealedSecretKey),
    metadata: {
      sealer: file.sealer,
      userId: file.userId,
      displayName: file.displayName,
      serverUrl: file.serverUrl,
      publicKey: fromBase64Url(file.publicKey),
      createdAt: file.createdAt,
    },
  };
}

export type KeystoreStatus =
  | { readonly state: 'absent' }
  | ({ readonly state: 'present' } & IdentityMetadata)
  | { readonly state: 'corrupt' | 'unreadable' | 'unsupported-version'; readonly reason: string; readonly message: string };

/** Where the identity stands, without opening the secret: the app decides from this whether to ask for a passphrase. */
export async function keystoreStatus(dataDir: string): Promise<KeystoreStatus> {
  try {
    const stored = await readKeystore(dataDir);
    return stored === undefined ? { state: 'absent' } : { state: 'present', ...stored.metadata };
  } catch (error) {
    if (!(error instanceof KeystoreError)) throw error;
    const state = error.code === 'unreadable' || error.code === 'unsupported-version' ? error.code : 'corrupt';
    return { state, reason: error.detail ?? error.message, message: error.message };
  }
}
