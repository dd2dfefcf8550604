import { describe, expect, it } from 'vitest';
import { checkServerUrl, isLoopbackHost } from './server-url';

describe('server URLs', () => {
  it('accepts wss anywhere and ws on loopback only', () => {
    expect(checkServerUrl('wss://sealcall.example.com/ws')).toBe('wss://sealcall.example.com/ws');
    expect(checkServerUrl('ws://127.0.0.1:8787/ws')).toBe('ws://127.0.0.1:8787/ws');
    expect(checkServerUrl('ws://[::1]:8787/ws')).toBe('ws://[::1]:8787/ws');
    expect(checkServerUrl('ws://localhost/ws')).toBe('ws://localhost/ws');
  });

  it('refuses plain ws off loopback, other schemes, credentials and junk', () => {
    for (const bad of [
      'ws://sealcall.example.com/ws',
      'ws://10.0.0.5/ws',
      'ws://127.0.0.1.evil.com/ws',
      'https://sealcall.example.com/ws',
      'javascript:alert(1)',
      'wss://user:pw@sealcall.example.com/ws',
      'wss://sealcall.example.com/ws?x=1',
      'not a url',
    ]) {
      expect(() => checkServerUrl(bad), bad).toThrow(/server address|refusing/);
    }
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.5.6.7')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('127.0.0.256')).toBe(false);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});
