import { safeStorage } from 'electron';
import type { SecretSealer } from '../core/ports';
import { chooseSealer, keychainBackendName } from '../core/shell-policy/sealer-choice';
import { logger } from './log';

/**
 * The OS keychain as a SecretSealer, or null where core/shell-policy/sealer-choice says it must not
 * be used (unavailable, or Linux's basic_text): the core then asks for a passphrase. Call after
 * app 'ready': before it, safeStorage cannot tell which backend it has.
 *
 * safeStorage seals strings, so the key bytes travel as base64 text in between.
 */
export async function createOsSealer(platform: string): Promise<SecretSealer | null> {
  const encryptionAvailable = await safeStorage.isAsyncEncryptionAvailable();
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined;
  const choice = chooseSealer({ encryptionAvailable, backend, platform });
  if (choice !== 'os-keychain') {
    logger.warn(`identity key: not using the OS keychain (${choice.passphrase}); the user will be asked for a passphrase`);
    return null;
  }
  const backendName = keychainBackendName(platform, backend);
  logger.info(`identity key: sealed by the OS keychain (${backendName})`);
  return {
    kind: 'os-keychain',
    backend: backendName,
    async seal(plaintext) {
      const text = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString('base64');
      return new Uint8Array(await safeStorage.encryptStringAsync(text));
    },
    async open(sealed) {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(sealed));
      if (shouldReEncrypt) logger.info('identity key: the OS keychain rotated its key; the key is re-sealed on its next save');
      // Decoded into memory of its own, not Buffer's shared pool, so the core can wipe it for good.
      const key = new Uint8Array(Buffer.byteLength(result, 'base64'));
      Buffer.from(key.buffer).write(result, 'base64');
      return key;
    },
  };
}
