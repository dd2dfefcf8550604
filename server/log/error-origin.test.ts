import { describe, expect, it } from 'vitest';
import { errorOrigin } from './error-origin';

describe('errorOrigin', () => {
  it('names the error and its frames, and nothing of a message, even one whose lines look like frames', () => {
    const error = new TypeError('bad sdp\r\na=fingerprint:sha-256 AA\r\nat SECRET-CODE (quoted)');
    const origin = errorOrigin(error);
    expect(origin.errorName).toBe('TypeError');
    expect(origin.thrownAt).toMatch(/error-origin\.test\.ts/);
    expect(JSON.stringify(origin)).not.toMatch(/SECRET|bad sdp|fingerprint/);
  });
});
