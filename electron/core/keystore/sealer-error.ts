/**
 * How a SecretSealer says why it failed, so the keystore can tell the user what to do. The shell's
 * OS-keychain sealer throws these too; any other error from a sealer counts as 'unavailable'.
 */
export type SealerErrorCode = 'weak-passphrase' | 'wrong-passphrase' | 'corrupt' | 'unavailable';

export class SealerError extends Error {
  override readonly name = 'SealerError';
  constructor(
    readonly code: SealerErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
