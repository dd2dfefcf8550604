import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SERVER_VERSION } from '../version';
import { formatDuration, parseDuration } from './duration';
import { checkPublicUrl, defaultPublicUrl, isLoopbackHost } from './public-url';

describe('public URL', () => {
  it('allows wss:// anywhere and ws:// only on loopback', () => {
    expect(checkPublicUrl('wss://calls.example.com/ws')).toBe('wss://calls.example.com/ws');
    expect(checkPublicUrl('ws://127.0.0.1:8787/ws')).toBe('ws://127.0.0.1:8787/ws');
    expect(checkPublicUrl('ws://[::1]:8787/ws')).toBe('ws://[::1]:8787/ws');
    expect(checkPublicUrl('ws://localhost:8787/ws')).toBe('ws://localhost:8787/ws');
    for (const bad of ['ws://calls.example.com/ws', 'ws://10.0.0.5/ws', 'ws://127.0.0.1.nip.io/ws', 'ws://0.0.0.0/ws']) {
      expect(() => checkPublicUrl(bad), bad).toThrow(/plain ws:\/\/ is only for loopback/);
    }
    expect(() => checkPublicUrl('https://calls.example.com')).toThrow(/wss:\/\//);
    expect(() => checkPublicUrl('wss://user:pw@calls.example.com/ws')).toThrow(/credentials/);
    expect(() => checkPublicUrl('not a url')).toThrow(/not a URL/);
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.1', 'example.com', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
    expect(defaultPublicUrl('::1', 80)).toBe('ws://[::1]:80/ws');
  });
});

describe('durations', () => {
  it('parses and formats', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('72h')).toBe(259_200_000);
    expect(formatDuration(259_200_000)).toBe('3d');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(() => parseDuration('3 weeks')).toThrow(/not a duration/);
    expect(() => parseDuration('-1s')).toThrow(/not a duration/);
  });
});

describe('version', () => {
  it('matches package.json', () => {
    const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SERVER_VERSION).toBe(packageJson.version);
  });
});
