import { describe, expect, it } from 'vitest';
import { updateFeedFor } from './update-feed';

describe('updateFeedFor', () => {
  it('points the generic provider at the configured folder', () => {
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates/', isPackaged: true })).toEqual({
      kind: 'generic',
      url: 'https://sealcall.example.com/updates/',
    });
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates', isPackaged: true })).toEqual({
      kind: 'generic',
      url: 'https://sealcall.example.com/updates/',
    });
    expect(updateFeedFor({ updateUrl: 'http://127.0.0.1:8080/u/', isPackaged: true }).kind).toBe('generic');
  });

  it('stays off in development and without a URL', () => {
    expect(updateFeedFor({ updateUrl: 'https://sealcall.example.com/updates/', isPackaged: false })).toEqual({ kind: 'off', reason: 'development build' });
    expect(updateFeedFor({ updateUrl: undefined, isPackaged: true }).kind).toBe('off');
    expect(updateFeedFor({ updateUrl: '', isPackaged: true }).kind).toBe('off');
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
      expect(updateFeedFor({ updateUrl, isPackaged: true }).kind, updateUrl).toBe('off');
    }
  });
});
