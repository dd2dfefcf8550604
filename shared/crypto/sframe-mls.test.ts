import { describe, expect, it } from 'vitest';
import { toHex } from './bytes';
import { expectRejects, expectThrows } from './expect-rejects.fixture';
import { MEDIA_SUITE, SFrameReceiver, SFrameSender, decodeSFrameHeader } from './sframe';
import {
  SFRAME_MLS_EPOCH_BITS,
  SFRAME_MLS_MAX_SENDER_INDEX,
  deriveGroupSenderKeyMaterial,
  deriveGroupSenderSecret,
  groupKid,
  kidMatchesEpoch,
  parseGroupKid,
} from './sframe-mls';

const baseKey = (fill = 7) => Uint8Array.from({ length: 32 }, (_, index) => (index * fill) & 0xff);

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, new Uint8Array(data)));
}

/** RFC 9605 §4.4.2 spelled out with HMAC (RFC 5869), with the KID written out by hand. */
async function rfcKeyAndSalt(base: Uint8Array, kidBytes: number[], suite: number[]): Promise<{ key: string; salt: string }> {
  const prk = await hmac(new Uint8Array(32), base);
  const expand = async (label: string, length: number) => {
    const info = [...new TextEncoder().encode(label), ...kidBytes, ...suite, 0x01];
    return toHex((await hmac(prk, Uint8Array.from(info))).subarray(0, length));
  };
  return { key: await expand('SFrame 1.0 Secret key ', 32), salt: await expand('SFrame 1.0 Secret salt ', 12) };
}

describe('SFrame keys from MLS (RFC 9605 §5.2)', () => {
  it('puts the sender index above E = 4 epoch bits, context 0', () => {
    expect(SFRAME_MLS_EPOCH_BITS).toBe(4);
    expect(groupKid(5n, 3)).toBe(0x35n);
    expect(groupKid(0n, 0)).toBe(0n);
    // Only the low 4 bits of the epoch travel: epochs 16 apart share a KID.
    expect(groupKid(21n, 3)).toBe(0x35n);
    expect(groupKid(2n ** 64n - 1n, 7)).toBe(0x7fn);
    expect(groupKid(1n, SFRAME_MLS_MAX_SENDER_INDEX)).toBe(0xffff1n);
  });

  it('reads back what it wrote, and refuses KIDs no member has', () => {
    for (const [epoch, index] of [
      [0n, 0],
      [1n, 7],
      [15n, 1],
      [16n, 2],
      [123456789n, SFRAME_MLS_MAX_SENDER_INDEX],
    ] as const) {
      const parts = parseGroupKid(groupKid(epoch, index));
      expect(parts.senderIndex).toBe(index);
      expect(kidMatchesEpoch(parts, epoch)).toBe(true);
      expect(kidMatchesEpoch(parts, epoch + 1n)).toBe(false);
    }
    expectThrows(() => parseGroupKid(0x100000n), 'sframe-unknown-kid');
    expectThrows(() => parseGroupKid(2n ** 63n), 'sframe-unknown-kid');
    expectThrows(() => parseGroupKid(-1n), 'invalid-input');
    expectThrows(() => groupKid(0n, SFRAME_MLS_MAX_SENDER_INDEX + 1), 'invalid-input');
    expectThrows(() => groupKid(0n, -1), 'invalid-input');
    expectThrows(() => groupKid(0n, 1.5), 'invalid-input');
    expectThrows(() => groupKid(-1n, 0), 'invalid-input');
    expectThrows(() => groupKid(2n ** 64n, 0), 'invalid-input');
  });

  it('derives each sender key exactly as §4.4.2 does from the epoch base key and the KID', async () => {
    const base = baseKey();
    const material = await deriveGroupSenderKeyMaterial(base, 5n, 3);
    // KID 0x35 as 8 bytes, suite 0xF001 as 2.
    const expected = await rfcKeyAndSalt(base, [0, 0, 0, 0, 0, 0, 0, 0x35], [0xf0, 0x01]);
    expect(toHex(material.key)).toBe(expected.key);
    expect(toHex(material.salt)).toBe(expected.salt);
    expect(MEDIA_SUITE.keyBytes).toBe(32);
  });

  it('gives every (epoch, sender) its own key', async () => {
    const base = baseKey();
    const keys = new Set<string>();
    for (const epoch of [1n, 2n]) {
      for (const index of [0, 1, 2, 3]) keys.add(toHex((await deriveGroupSenderKeyMaterial(base, epoch, index)).key));
    }
    expect(keys.size).toBe(8);
    // A new epoch brings a new base key from the exporter: same KID, different key.
    const other = await deriveGroupSenderKeyMaterial(baseKey(11), 1n, 0);
    expect(keys.has(toHex(other.key))).toBe(false);
  });

  it('refuses a base key of the wrong size', async () => {
    await expectRejects(deriveGroupSenderKeyMaterial(new Uint8Array(16), 1n, 0), 'invalid-key');
    await expectRejects(deriveGroupSenderSecret(new Uint8Array(33), 1n, 0), 'invalid-key');
  });

  it('opens a frame only under the sending member and epoch', async () => {
    const base = baseKey();
    const sender = new SFrameSender(await deriveGroupSenderSecret(base, 9n, 2));
    const frame = sender.encrypt(new Uint8Array(0), Uint8Array.of(1, 2, 3));
    expect(decodeSFrameHeader(frame).kid).toBe(groupKid(9n, 2));
    const right = new SFrameReceiver(await deriveGroupSenderSecret(base, 9n, 2));
    expect([...right.open(new Uint8Array(0), frame).plaintext]).toEqual([1, 2, 3]);
    const otherSender = new SFrameReceiver(await deriveGroupSenderSecret(base, 9n, 1));
    expectThrows(() => otherSender.open(new Uint8Array(0), frame), 'sframe-auth-failed');
  });
});
