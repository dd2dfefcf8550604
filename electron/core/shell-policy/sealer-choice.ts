/*
 * Whether the OS keychain (Electron safeStorage) may seal the identity key. It may not where it is
 * unavailable, or where on Linux it would fall back to `basic_text`: Chromium then encrypts with a
 * key hard-coded into every copy of Chromium, which is obfuscation, not protection. `unknown`
 * (asked before the app was ready, or a backend we have never seen) is refused too. In each case
 * the core asks the user for a passphrase instead.
 */

export interface SealerEnvironment {
  /** safeStorage.isAsyncEncryptionAvailable(), after the app is ready. */
  readonly encryptionAvailable: boolean;
  /** safeStorage.getSelectedStorageBackend() on Linux; undefined elsewhere. */
  readonly backend: string | undefined;
  /** process.platform */
  readonly platform: string;
}

export type SealerChoice = 'os-keychain' | { readonly passphrase: string };

/** Linux backends that keep the key in a real password store. */
const LINUX_KEYCHAINS: ReadonlySet<string> = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);

export function chooseSealer(env: SealerEnvironment): SealerChoice {
  if (!env.encryptionAvailable) {
    return { passphrase: 'the system keychain is not available to Sealcall on this computer' };
  }
  if (env.platform !== 'linux') return 'os-keychain';
  const backend = env.backend ?? 'unknown';
  if (backend === 'basic_text') {
    return {
      passphrase:
        'no password store (GNOME Keyring or KWallet) was found, and without one the key would be protected only by a key built into the app',
    };
  }
  if (!LINUX_KEYCHAINS.has(backend)) {
    return { passphrase: `the password store could not be identified (${backend.slice(0, 40)})` };
  }
  return 'os-keychain';
}

/** The backend name a SecretSealer reports, for diagnostics. */
export function keychainBackendName(platform: string, linuxBackend: string | undefined): string {
  switch (platform) {
    case 'darwin':
      return 'macos-keychain';
    case 'win32':
      return 'windows-dpapi';
    case 'linux':
      return linuxBackend ?? 'unknown';
    default:
      return `${platform}-safestorage`;
  }
}
