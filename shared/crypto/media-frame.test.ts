import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from './bytes';
import type { CryptoErrorCode } from './errors';
import { clearPrefixLength, decryptMediaFrame, encryptMediaFrame, mediaKindContext, type MediaKind } from './media-frame';
import { decodeSFrameHeader, deriveSFrameSecret, sframeDecrypt, SFrameReceiver, SFrameSender, type SFrameSecret } from './sframe';
import { expectThrows } from './expect-rejects.fixture';

const BASE_KEY = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const ANY_FAILURE: readonly CryptoErrorCode[] = [
  'sframe-auth-failed',
  'sframe-bad-header',
  'sframe-truncated',
  'sframe-unknown-kid',
  'sframe-replayed',
  'media-frame-truncated',
];


let nextKid = 100n;
/** A fresh secret and its sender: each secret may have only one sender. */
async function fresh(): Promise<{ secret: SFrameSecret; sender: SFrameSender }> {
  const secret = await deriveSFrameSecret(BASE_KEY, nextKid++);
  return { secret, sender: new SFrameSender(secret) };
}

function randomFrame(length: number, firstByte: (byte: number) => number): Uint8Array {
  const frame = crypto.getRandomValues(new Uint8Array(length));
  if (length > 0) frame[0] = firstByte(frame[0] ?? 0);
  return frame;
}
const vp8Key = (length: number): Uint8Array => randomFrame(length, (b) => b & 0xfe);
const vp8Delta = (length: number): Uint8Array => randomFrame(length, (b) => b | 0x01);
const opus = (length: number): Uint8Array => randomFrame(length, (b) => b);

describe('clear prefix', () => {
  it('is 10 bytes on VP8 key frames, 3 on delta frames, 1 on Opus, 0 on an empty frame', () => {
    expect(clearPrefixLength('vp8', vp8Key(100))).toBe(10);
    expect(clearPrefixLength('vp8', vp8Delta(100))).toBe(3);
    expect(clearPrefixLength('opus', opus(100))).toBe(1);
    expect(clearPrefixLength('vp8', new Uint8Array(0))).toBe(0);
    expect(clearPrefixLength('opus', new Uint8Array(0))).toBe(0);
  });
});

describe('media frames', () => {
  const cases: readonly [string, MediaKind, Uint8Array, number][] = [
    ['VP8 key frame', 'vp8', vp8Key(1200), 10],
    ['VP8 delta frame', 'vp8', vp8Delta(700), 3],
    ['Opus frame', 'opus', opus(120), 1],
    ['VP8 key frame of exactly its prefix', 'vp8', vp8Key(10), 10],
    ['VP8 delta frame of exactly its prefix', 'vp8', vp8Delta(3), 3],
    ['Opus frame of one byte', 'opus', opus(1), 1],
  ];
  for (const [name, kind, frame, prefix] of cases) {
    it(`round-trips a ${name}, with the prefix in clear and the rest encrypted`, async () => {
      const { secret, sender } = await fresh();
      const wire = encryptMediaFrame(sender, kind, frame);
      expect(toHex(wire.subarray(0, prefix))).toBe(toHex(frame.subarray(0, prefix)));
      const header = decodeSFrameHeader(wire.subarray(prefix));
      expect(header.kid).toBe(secret.kid);
      expect(wire.length).toBe(frame.length + header.length + 16);
      if (frame.length > prefix + 8) {
        expect(toHex(wire.subarray(prefix + header.length))).not.toContain(toHex(frame.subarray(prefix, prefix + 8)));
      }
      expect(toHex(decryptMediaFrame(new SFrameReceiver(secret), kind, wire))).toBe(toHex(frame));
      expect(toHex(decryptMediaFrame(() => new SFrameReceiver(secret), kind, wire))).toBe(toHex(frame));
    });
  }

  it('passes an empty frame untouched, without using a counter', async () => {
    const { secret, sender } = await fresh();
    for (const kind of ['vp8', 'opus'] as const) {
      const empty = new Uint8Array(0);
      expect((encryptMediaFrame(sender, kind, empty)).length).toBe(0);
      expect((decryptMediaFrame(new SFrameReceiver(secret), kind, empty)).length).toBe(0);
    }
    expect(sender.nextCounter).toBe(0n);
  });

  it('refuses to send a VP8 frame shorter than its prefix, without using a counter', async () => {
    const { sender } = await fresh();
    expectThrows(() => encryptMediaFrame(sender, 'vp8', vp8Key(9)), 'media-frame-truncated');
    expectThrows(() => encryptMediaFrame(sender, 'vp8', vp8Delta(2)), 'media-frame-truncated');
    expect(sender.nextCounter).toBe(0n);
  });

  it('refuses received data shorter than its prefix, or with nothing after it', async () => {
    const { secret } = await fresh();
    expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), 'vp8', vp8Key(9)), 'media-frame-truncated');
    expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), 'vp8', vp8Delta(2)), 'media-frame-truncated');
    expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), 'vp8', vp8Key(10)), 'sframe-truncated');
    expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), 'opus', opus(1)), 'sframe-truncated');
  });

  it('refuses every truncation of an encrypted frame', async () => {
    const { secret, sender } = await fresh();
    const wire = encryptMediaFrame(sender, 'vp8', vp8Key(40));
    for (let length = 1; length < wire.length; length++) {
      expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), 'vp8', wire.subarray(0, length)), ANY_FAILURE);
    }
  });

  it('fails authentication when any bit of the clear prefix changes', async () => {
    for (const [kind, frame] of [
      ['vp8', vp8Key(300)],
      ['vp8', vp8Delta(300)],
      ['opus', opus(80)],
    ] as const) {
      const { secret, sender } = await fresh();
      const wire = encryptMediaFrame(sender, kind, frame);
      const prefix = clearPrefixLength(kind, frame);
      for (let bit = 0; bit < prefix * 8; bit++) {
        const tampered = wire.slice();
        const index = bit >> 3;
        tampered[index] = (tampered[index] ?? 0) ^ (1 << (bit & 7));
        // Flipping VP8's key-frame bit moves where the receiver looks for the SFrame header, so the
        // failure may show up as a bad header; every other prefix bit can only fail the tag.
        const codes = kind === 'vp8' && bit === 0 ? ANY_FAILURE : 'sframe-auth-failed';
        expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), kind, tampered), codes);
      }
    }
  });

  it('fails authentication when the ciphertext changes', async () => {
    const { secret, sender } = await fresh();
    const wire = encryptMediaFrame(sender, 'opus', opus(60));
    const tampered = wire.slice();
    tampered[wire.length - 20] = (tampered[wire.length - 20] ?? 0) ^ 0x40;
    expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), 'opus', tampered), 'sframe-auth-failed');
  });

  it('picks the secret by KID, and reports a KID it does not hold', async () => {
    const older = await fresh();
    const newer = await fresh();
    const held = new Map([older, newer].map(({ secret }) => [secret.kid, new SFrameReceiver(secret)]));
    const lookup = (kid: bigint): SFrameReceiver | undefined => held.get(kid);
    const frame = vp8Delta(200);
    for (const { sender } of [older, newer]) {
      const wire = encryptMediaFrame(sender, 'vp8', frame);
      expect(toHex(decryptMediaFrame(lookup, 'vp8', wire))).toBe(toHex(frame));
    }
    const stranger = await fresh();
    const wire = encryptMediaFrame(stranger.sender, 'vp8', frame);
    expectThrows(() => decryptMediaFrame(lookup, 'vp8', wire), 'sframe-unknown-kid');
    // A lookup that answers with the wrong secret still cannot open the frame.
    expectThrows(() => decryptMediaFrame(() => new SFrameReceiver(older.secret), 'vp8', wire), 'sframe-auth-failed');
    expectThrows(() => decryptMediaFrame(new SFrameReceiver(older.secret), 'vp8', wire), 'sframe-auth-failed');
  });

  it('authenticates the media kind with the clear prefix: the SFrame metadata is kind || prefix', async () => {
    for (const [kind, frame, other] of [
      ['opus', opus(80), 'vp8'],
      ['vp8', vp8Delta(300), 'opus'],
    ] as const) {
      const { secret, sender } = await fresh();
      const wire = encryptMediaFrame(sender, kind, frame);
      const prefix = wire.subarray(0, clearPrefixLength(kind, frame));
      const body = wire.subarray(prefix.length);
      // Only the prefix travels; the kind is known to both ends and bound into the AAD.
      expect(wire.length).toBe(frame.length + decodeSFrameHeader(body).length + 16);
      expect(toHex(sframeDecrypt(secret, concatBytes(mediaKindContext(kind), prefix), body).plaintext)).toBe(toHex(frame.subarray(prefix.length)));
      expectThrows(() => sframeDecrypt(secret, prefix, body), 'sframe-auth-failed');
      expectThrows(() => sframeDecrypt(secret, concatBytes(mediaKindContext(other), prefix), body), 'sframe-auth-failed');
    }
    expect(toHex(mediaKindContext('opus'))).not.toBe(toHex(mediaKindContext('vp8')));
  });

  it('refuses an audio frame on a video receiver and a video frame on an audio receiver, under the same key', async () => {
    const { secret, sender } = await fresh();
    const receiver = new SFrameReceiver(secret);
    const audio = encryptMediaFrame(sender, 'opus', opus(120));
    const video = encryptMediaFrame(sender, 'vp8', vp8Delta(400));
    const keyFrame = encryptMediaFrame(sender, 'vp8', vp8Key(400));
    expectThrows(() => decryptMediaFrame(receiver, 'vp8', audio), ANY_FAILURE);
    expectThrows(() => decryptMediaFrame(receiver, 'opus', video), ANY_FAILURE);
    expectThrows(() => decryptMediaFrame(receiver, 'opus', keyFrame), ANY_FAILURE);
    // The refusals used up no counter: each frame still opens on its own kind's receiver.
    expect(decryptMediaFrame(receiver, 'opus', audio).length).toBe(120);
    expect(decryptMediaFrame(receiver, 'vp8', video).length).toBe(400);
    expect(decryptMediaFrame(receiver, 'vp8', keyFrame).length).toBe(400);
  });

  it('refuses a replayed frame, and opens a late one inside the replay window', async () => {
    const { secret, sender } = await fresh();
    const receiver = new SFrameReceiver(secret);
    const frames = Array.from({ length: 40 }, () => opus(60));
    const wires = frames.map((frame) => encryptMediaFrame(sender, 'opus', frame));
    const lookup = (kid: bigint): SFrameReceiver | undefined => (kid === secret.kid ? receiver : undefined);
    for (let i = 1; i < wires.length; i++) expect(toHex(decryptMediaFrame(lookup, 'opus', wires[i] ?? new Uint8Array(0)))).toBe(toHex(frames[i] ?? new Uint8Array(0)));
    expect(toHex(decryptMediaFrame(lookup, 'opus', wires[0] ?? new Uint8Array(0)))).toBe(toHex(frames[0] ?? new Uint8Array(0)));
    for (const wire of wires) expectThrows(() => decryptMediaFrame(lookup, 'opus', wire), 'sframe-replayed');
  });

  it('refuses a frame decrypted as the other codec', async () => {
    const { secret, sender } = await fresh();
    const wire = encryptMediaFrame(sender, 'vp8', vp8Key(100));
    expectThrows(() => decryptMediaFrame(new SFrameReceiver(secret), 'opus', wire), ANY_FAILURE);
  });

  it('round-trips any frame of either codec, each under its own counter', async () => {
    const { secret, sender } = await fresh();
    const receiver = new SFrameReceiver(secret);
    fc.assert(
      fc.property(fc.constantFrom<MediaKind>('vp8', 'opus'), fc.uint8Array({ minLength: 10, maxLength: 2000 }), (kind, frame) => {
        const wire = encryptMediaFrame(sender, kind, frame);
        expect(toHex(decryptMediaFrame(receiver, kind, wire))).toBe(toHex(frame));
      }),
      { numRuns: 100 },
    );
    const frames = Array.from({ length: 50 }, () => opus(30));
    const wires = frames.map((frame) => encryptMediaFrame(sender, 'opus', frame));
    const counters = new Set(wires.map((wire) => decodeSFrameHeader(wire.subarray(1)).ctr));
    expect(counters.size).toBe(50);
    expect(wires.map((wire) => toHex(decryptMediaFrame(receiver, 'opus', wire)))).toEqual(frames.map(toHex));
  });

  it('leaves the caller\'s frame buffer alone: the wire is a buffer of its own', async () => {
    const { secret, sender } = await fresh();
    const frame = vp8Key(64);
    const original = frame.slice();
    const wire = encryptMediaFrame(sender, 'vp8', frame);
    expect(toHex(frame)).toBe(toHex(original));
    frame.fill(0xee);
    expect(toHex(decryptMediaFrame(new SFrameReceiver(secret), 'vp8', wire))).toBe(toHex(original));
    expect(toHex(wire.subarray(0, 10))).toBe(toHex(original.subarray(0, 10)));
  });
});
