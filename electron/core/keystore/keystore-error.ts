/**
 * Every way the identity keystore can fail, each with a message that tells the user what to do.
 * None of them is ever answered by generating a new key: that would silently change the user's
 * safety number for every colleague.
 */
export type KeystoreErrorCode =
  | 'missing'
  | 'unreadable'
  | 'corrupt'
  | 'wrong-passphrase'
  | 'weak-passphrase'
  | 'sealer-unavailable'
  | 'sealer-mismatch'
  | 'unsupported-version'
  | 'exists'
  | 'invalid-identity';

const NEW_KEY_ADVICE = 'ask IT for a new enrollment link: a new key changes your safety number for everyone.';

export class KeystoreError extends Error {
  override readonly name = 'KeystoreError';
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
    /** Technical detail for support (which field, which check); already part of `message` where it helps. */
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function missingError(): KeystoreError {
  return new KeystoreError('missing', 'Sealcall is not set up on this computer yet. Open the enrollment link from IT to set it up.');
}

export function unreadableError(detail: string, cause?: unknown): KeystoreError {
  return new KeystoreError(
    'unreadable',
    `Sealcall cannot read your identity key file (${detail}). Check that it belongs to your user account, then restart Sealcall.`,
    detail,
    { cause },
  );
}

export function corruptError(detail: string, cause?: unknown): KeystoreError {
  return new KeystoreError(
    'corrupt',
    `Your identity key file is damaged (${detail}). Restore it from backup, or ${NEW_KEY_ADVICE}`,
    detail,
    { cause },
  );
}

export function wrongPassphraseError(cause?: unknown): KeystoreError {
  return new KeystoreError(
    'wrong-passphrase',
    `That passphrase does not unlock your identity key. Try again; if you have forgotten it, ${NEW_KEY_ADVICE}`,
    undefined,
    { cause },
  );
}

export function sealerUnavailableError(sealer: 'os-keychain' | 'passphrase', detail: string, cause?: unknown): KeystoreError {
  const message =
    sealer === 'os-keychain'
      ? `Your system keychain could not unlock your identity key (${detail}). Unlock the keychain (signing in to your desktop normally does this) and restart Sealcall. If the keychain was reset, restore your identity key file from backup, or ${NEW_KEY_ADVICE}`
      : `Sealcall could not unlock your identity key (${detail}). Restart Sealcall and enter your passphrase again.`;
  return new KeystoreError('sealer-unavailable', message, detail, { cause });
}

export function unsupportedVersionError(detail: string): KeystoreError {
  return new KeystoreError(
    'unsupported-version',
    'Your identity key file was written by a newer version of Sealcall. Install that version (or a later one) again; this version cannot use it.',
    detail,
  );
}

export function existsError(): KeystoreError {
  return new KeystoreError(
    'exists',
    'This computer already has a Sealcall identity key. Sealcall will not replace it without asking, because a new key changes your safety number for everyone.',
  );
}

export function sealerMismatchError(fileSealer: 'os-keychain' | 'passphrase'): KeystoreError {
  if (fileSealer === 'passphrase') {
    return new KeystoreError('sealer-mismatch', 'Your identity key is protected by a passphrase. Enter it to unlock Sealcall.', 'sealed with a passphrase');
  }
  return new KeystoreError(
    'sealer-mismatch',
    `Your identity key is locked in the system keychain, which Sealcall cannot use right now. Sign in to your desktop normally so the keychain is available, and restart Sealcall. If this computer's keychain is gone for good, restore your identity key file from backup, or ${NEW_KEY_ADVICE}`,
    'sealed by the system keychain',
  );
}
