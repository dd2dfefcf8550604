import { describe, expect, it } from 'vitest';
import { expectThrows } from './expect-rejects.fixture';
import { groupSecurityCode } from './group-security-code';

describe('group security code', () => {
  it('shows four groups of five digits from the first 20 bytes', () => {
    const authenticator = new Uint8Array(32);
    // 0x0000000001 → 00001; 0xFFFFFFFFFF = 1099511627775 → 27775; 0x00000186A0 = 100000 → 00000.
    authenticator.set([0, 0, 0, 0, 1], 0);
    authenticator.set([0xff, 0xff, 0xff, 0xff, 0xff], 5);
    authenticator.set([0, 0, 0x01, 0x86, 0xa0], 10);
    authenticator.set([0, 0, 0, 0x30, 0x39], 15);
    expect(groupSecurityCode(authenticator)).toBe('00001 27775 00000 12345');
  });

  it('changes when the authenticator does', () => {
    const a = new Uint8Array(32).fill(3);
    const b = Uint8Array.from(a);
    b[19] = 4;
    expect(groupSecurityCode(a)).not.toBe(groupSecurityCode(b));
  });

  it('refuses a short authenticator', () => {
    expectThrows(() => groupSecurityCode(new Uint8Array(19)), 'invalid-input');
  });
});
