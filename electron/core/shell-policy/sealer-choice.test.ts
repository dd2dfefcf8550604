import { describe, expect, it } from 'vitest';
import { chooseSealer, keychainBackendName } from './sealer-choice';

describe('chooseSealer', () => {
  it('uses the keychain on macOS and Windows when safeStorage is available', () => {
    expect(chooseSealer({ encryptionAvailable: true, backend: undefined, platform: 'darwin' })).toBe('os-keychain');
    expect(chooseSealer({ encryptionAvailable: true, backend: undefined, platform: 'win32' })).toBe('os-keychain');
  });

  it.each(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'])('uses the keychain on Linux with %s', (backend) => {
    expect(chooseSealer({ encryptionAvailable: true, backend, platform: 'linux' })).toBe('os-keychain');
  });

  it('refuses basic_text, which is a key built into Chromium, and says so', () => {
    const choice = chooseSealer({ encryptionAvailable: true, backend: 'basic_text', platform: 'linux' });
    expect(choice).toEqual({ passphrase: expect.stringMatching(/password store/) as unknown });
  });

  it('refuses unknown, missing and unfamiliar Linux backends', () => {
    for (const backend of ['unknown', undefined, 'gnome_keyring_v2', '']) {
      expect(chooseSealer({ encryptionAvailable: true, backend, platform: 'linux' }), String(backend)).toHaveProperty('passphrase');
    }
  });

  it('asks for a passphrase wherever safeStorage is unavailable', () => {
    for (const platform of ['darwin', 'win32', 'linux']) {
      expect(chooseSealer({ encryptionAvailable: false, backend: 'gnome_libsecret', platform }), platform).toEqual({
        passphrase: expect.stringMatching(/not available/) as unknown,
      });
    }
  });
});

describe('keychainBackendName', () => {
  it('names the backend per platform', () => {
    expect(keychainBackendName('darwin', undefined)).toBe('macos-keychain');
    expect(keychainBackendName('win32', undefined)).toBe('windows-dpapi');
    expect(keychainBackendName('linux', 'kwallet6')).toBe('kwallet6');
    expect(keychainBackendName('linux', undefined)).toBe('unknown');
  });
});
