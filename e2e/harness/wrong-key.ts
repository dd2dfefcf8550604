import { fromBase64Url, toBase64Url } from '../../shared/crypto/bytes';

/**
 * An event filter for `company.enrolledUser(…, { eventFilter })`: the page gets its call keys with
 * one bit of the receive key flipped, as if the handshake had gone wrong on one side only. The
 * core and the other side are untouched.
 */
export function flipReceiveKeyBit(event: string, payload: unknown): unknown {
  if (event !== 'call.event' || typeof payload !== 'object' || payload === null) return payload;
  const { kind, keys } = payload as { kind?: unknown; keys?: { receiveKey?: unknown } };
  if (kind !== 'keys' || typeof keys?.receiveKey !== 'string') return payload;
  const bytes = fromBase64Url(keys.receiveKey);
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return { ...payload, keys: { ...keys, receiveKey: toBase64Url(bytes) } };
}
