import { describe, expect, it } from 'vitest';
import { parseServerMessage } from './messages';
import { PROTOCOL_VERSION, subprotocolFor, unsupportedVersionError, versionOfSubprotocol } from './version';

describe('protocol version negotiation', () => {
  it('names each version by a subprotocol and reads it back', () => {
    expect(subprotocolFor(PROTOCOL_VERSION)).toBe(`sealcall.${PROTOCOL_VERSION}`);
    expect(versionOfSubprotocol(subprotocolFor(PROTOCOL_VERSION))).toBe(PROTOCOL_VERSION);
  });

  it('reads nothing else as a version', () => {
    for (const name of ['sealcall.', 'sealcall.0', 'sealcall.02', 'sealcall.2x', 'sealcall.99999', 'other.2', 'SEALCALL.2', ''])
      expect(versionOfSubprotocol(name)).toBeUndefined();
  });

  it('refuses in an envelope the current parser accepts only for the current version', () => {
    const current = unsupportedVersionError(PROTOCOL_VERSION, 'update Sealcall');
    expect(parseServerMessage(current)).toMatchObject({ type: 'error', code: 'unsupported-version', message: 'update Sealcall' });
    // An app of version 1 gets the same shape with v: 1, which is what its own parser demands.
    expect(JSON.parse(unsupportedVersionError(1, 'update Sealcall'))).toEqual({ v: 1, type: 'error', code: 'unsupported-version', message: 'update Sealcall' });
    expect(() => parseServerMessage(unsupportedVersionError(1, 'update Sealcall'))).toThrow(/version 1 is not supported/);
  });
});
