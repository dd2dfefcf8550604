import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('logger', () => {
  it('writes one pino-shaped JSON line per entry, at or above its level', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    logger.debug('hidden');
    logger.info('user authenticated', { userId: 'alice' });
    logger.error('boom');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 30, msg: 'user authenticated', userId: 'alice' });
    expect(lines[1]).toMatch(/\n$/);
  });

  it('never writes a field that looks like a secret, whoever passed it', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    logger.info('oops', { code: 'c0de', signature: 'sig', turnSecret: 's3cret', credential: 'cred', nonce: 'n', identityKey: 'k', sdp: 'v=0', errorCode: 'auth-failed' });
    const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    for (const field of ['code', 'signature', 'turnSecret', 'credential', 'nonce', 'identityKey', 'sdp']) expect(entry[field]).toBe('[redacted]');
    expect(entry.errorCode).toBe('auth-failed');
    expect(lines[0]).not.toMatch(/c0de|s3cret|cred"|v=0/);
  });
});
