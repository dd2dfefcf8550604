import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * One spelling per address: IPv4 as is (also when a dual-stack socket reports it as
 * ::ffff:192.0.2.1), IPv6 with every group written out, lower case, without a zone.
 */
export function canonicalIp(address: string): string {
  const bare = address.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined) return mapped[1];
  return isIP(bare) === 6 ? expandIpv6(bare).join(':') : bare;
}

/**
 * The key per-address limits count under: an IPv4 address, or an IPv6 address's /64, because
 * whoever is given an IPv6 network gets a whole /64 to pick addresses from.
 */
export function addressKey(address: string): string {
  const ip = canonicalIp(address);
  return isIP(ip) === 6 ? `${ip.split(':').slice(0, 4).join(':')}::/64` : ip;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

/**
 * Whom per-address limits count an upgrade request against. The TCP peer, unless that peer is
 * one of the configured trusted proxies: then the last X-Forwarded-For entry, the address that
 * proxy saw. Earlier entries were written by the client and prove nothing. A trusted proxy that
 * sent no usable header is counted as itself.
 */
export function clientAddress(request: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = canonicalIp(request.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.has(peer)) return addressKey(peer);
  const header = request.headers['x-forwarded-for'];
  const last = canonicalIp((Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').at(-1) ?? '');
  return addressKey(isIP(last) === 0 ? peer : last);
}
