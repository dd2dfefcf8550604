import { describe, expect, it } from 'vitest';
import { updateFeedFor } from './update-feed';

const KEY = 'voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=';

describe('updateFeedFor', () => {
  it('points the generic provider at the configured folder, with the pinned key', () => {
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates/', updatePublicKey: KEY, isPackaged: true })).toEqual({
      kind: 'signed',
      url: 'https://sealcall.example.com/updates/',
      publicKey: KEY,
    });
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates', updatePublicKey: KEY, isPackaged: true })).toEqual({
      kind: 'signed',
      url: 'https://sealcall.example.com/updates/',
      publicKey: KEY,
    });
    expect(updateFeedFor({ updateUrl: 'http://127.0.0.1:8080/u/', updatePublicKey: KEY, isPackaged: true }).kind).toBe('signed');
  });

  it('stays off in development and without a URL', () => {
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates/', updatePublicKey: KEY, isPackaged: false })).toEqual({ kind: 'off', reason: 'development build' });
    expect(updateFeedFor({ updateUrl: undefined, updatePublicKey: KEY, isPackaged: true }).kind).toBe('off');
    expect(updateFeedFor({ updateUrl: '', updatePublicKey: KEY, isPackaged: true }).kind).toBe('off');
  });

  it('stays off, saying why, without a key to check releases against', () => {
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates/', updatePublicKey: undefined, isPackaged: true })).toEqual({
      kind: 'off',
      reason: 'the enterprise config sets an updateUrl but no updatePublicKey, and an unsigned feed is never trusted',
    });
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates/', updatePublicKey: 'not-a-key', isPackaged: true }).kind).toBe('off');
  });

  it('refuses plain HTTP off loopback, other schemes, credentials and junk', () => {
    for (const updateUrl of [
      'http://sealcall.example.com/updates/',
      'ftp://sealcall.example.com/',
      'file:///tmp/updates/',
      'https://user:pw@sealcall.example.com/updates/',
      'https://sealcall.example.com/updates/?channel=beta',
      'not a url',
    ]) {
      expect(updateFeedFor({ updateUrl, updatePublicKey: KEY, isPackaged: true }).kind, updateUrl).toBe('off');
    }
  });
});
