import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, canonicalIp, clientAddress } from './client-address';

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('client addresses', () => {
  it('counts IPv4 as itself, an IPv4-mapped address as its IPv4, and IPv6 by its /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee%eth0')).toBe('2001:db8:1:2::/64');
    expect(canonicalIp('::1')).toBe('0:0:0:0:0:0:0:1');
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only its last entry', () => {
    const trusted = new Set(['127.0.0.1']);
    expect(clientAddress(request('203.0.113.9', '198.51.100.1'), trusted)).toBe('203.0.113.9');
    expect(clientAddress(request('127.0.0.1', '198.51.100.1, 198.51.100.2'), trusted)).toBe('198.51.100.2');
    expect(clientAddress(request('::ffff:127.0.0.1', '2001:db8::5'), trusted)).toBe('2001:db8:0:0::/64');
    // A trusted proxy that sent nothing usable counts as itself.
    expect(clientAddress(request('127.0.0.1'), trusted)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', 'not an address'), trusted)).toBe('127.0.0.1');
  });
});
