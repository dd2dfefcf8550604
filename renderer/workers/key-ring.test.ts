import { describe, expect, it } from 'vitest';
import { manualScheduler } from './manual-scheduler.fixture';
import { decryptMediaFrame, encryptMediaFrame } from '../../shared/crypto/media-frame';
import { decodeSFrameHeader } from '../../shared/crypto/sframe';
import { expectThrows } from '../../shared/crypto/expect-rejects.fixture';
import { PREVIOUS_GENERATION_GRACE_MS, ReceiveKeys, SendKeys } from './key-ring';
import { ratchetBaseKey } from './ratchet';

const baseKey = () => Uint8Array.from({ length: 32 }, (_, index) => index + 1);
/** An Opus frame: the TOC byte stays clear, the rest is encrypted. */
const opusFrame = (fill: number) => Uint8Array.from({ length: 40 }, () => fill);

/** Lets the receiver finish deriving the generations it has asked for (WebCrypto runs them on other threads). */
async function settle(receiving: ReceiveKeys): Promise<void> {
  await receiving.derived();
}

function open(keys: ReceiveKeys, frame: Uint8Array): Uint8Array {
  let kid: bigint | undefined;
  const plain = decryptMediaFrame(
    (frameKid) => {
      kid = frameKid;
      return keys.receiverFor(frameKid);
    },
    'opus',
    frame,
  );
  if (kid !== undefined) keys.confirm(kid);
  return plain;
}

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, new Uint8Array(data)));
}

/** RFC 5869 spelled out with HMAC, independently of WebCrypto's HKDF: Extract with an empty salt, one Expand block. */
async function rfcRatchet(key: Uint8Array): Promise<Uint8Array> {
  const prk = await hmacSha256(new Uint8Array(32), key);
  const info = new TextEncoder().encode('SFrame 1.0 Ratchet');
  return hmacSha256(prk, Uint8Array.from([...info, 0x01]));
}

describe('ratchetBaseKey', () => {
  it('is RFC 9605 §5.1: HKDF-Expand(HKDF-Extract("", key), "SFrame 1.0 Ratchet", Nh = 32)', async () => {
    const key = baseKey();
    const once = await ratchetBaseKey(key);
    expect(once).toEqual(await rfcRatchet(key));
    expect(await ratchetBaseKey(once)).toEqual(await rfcRatchet(once));
    expect(once).not.toEqual(key);
  });
});

describe('SendKeys and ReceiveKeys', () => {
  it('follow each other across generations, KID = generation, with no frame lost at a switch', async () => {
    const sending = await SendKeys.create(baseKey());
    const receiving = await ReceiveKeys.create(baseKey());
    await settle(receiving);
    for (let generation = 0; generation < 4; generation++) {
      const sealed = encryptMediaFrame(sending.sender, 'opus', opusFrame(generation));
      expect(decodeSFrameHeader(sealed.subarray(1)).kid).toBe(BigInt(generation));
      // The receiver has this generation before its first frame: it was derived ahead.
      expect(open(receiving, sealed)).toEqual(opusFrame(generation));
      expect(receiving.generation).toBe(BigInt(generation));
      await sending.advance();
      await settle(receiving);
    }
  });

  it('keeps the previous generation only for a short grace once the next one authenticates', async () => {
    const grace = manualScheduler();
    const sending = await SendKeys.create(baseKey());
    const receiving = await ReceiveKeys.create(baseKey(), { schedule: grace.schedule });
    const sealed: Uint8Array[] = [];
    for (let generation = 0; generation < 4; generation++) {
      sealed.push(encryptMediaFrame(sending.sender, 'opus', opusFrame(generation)));
      sealed.push(encryptMediaFrame(sending.sender, 'opus', opusFrame(generation + 10)));
      await sending.advance();
    }
    await settle(receiving);
    const frame = (generation: number, which: number) => sealed[generation * 2 + which] ?? new Uint8Array(0);
    open(receiving, frame(0, 0));
    await settle(receiving);
    open(receiving, frame(1, 0));
    await settle(receiving);
    expect(grace.pending).toEqual([PREVIOUS_GENERATION_GRACE_MS]);
    // Within the grace, a late frame of the previous generation still opens.
    expect(open(receiving, frame(0, 1))).toEqual(opusFrame(10));
    grace.runAll();
    expectThrows(() => open(receiving, frame(0, 1)), 'sframe-unknown-kid');
    expect(receiving.heldGenerations.includes(0n)).toBe(false);
    // Generation 2 never showed up, so 3 is not derived yet: its first frame fails, and asks for it.
    expectThrows(() => open(receiving, frame(3, 0)), 'sframe-unknown-kid');
    await settle(receiving);
    expect(open(receiving, frame(3, 0))).toEqual(opusFrame(3));
    await settle(receiving);
    expect(receiving.generation).toBe(3n);
    // Once 3 authenticated, only 2 (in its grace) stays behind it: 1 is wiped at once, unasked.
    expect(receiving.heldGenerations.filter((held) => held < 3n)).toEqual([2n]);
    expectThrows(() => open(receiving, frame(1, 1)), 'sframe-unknown-kid');
    expect(open(receiving, frame(2, 0))).toEqual(opusFrame(2));
    grace.runAll();
    expect(receiving.heldGenerations.filter((held) => held < 3n)).toEqual([]);
    expectThrows(() => open(receiving, frame(2, 1)), 'sframe-unknown-kid');
  });

  it('opens each frame once, in every generation it could reach', async () => {
    const sending = await SendKeys.create(baseKey());
    const receiving = await ReceiveKeys.create(baseKey(), { schedule: manualScheduler().schedule });
    const first = encryptMediaFrame(sending.sender, 'opus', opusFrame(1));
    const second = encryptMediaFrame(sending.sender, 'opus', opusFrame(2));
    await sending.advance();
    const next = encryptMediaFrame(sending.sender, 'opus', opusFrame(3));
    await settle(receiving);
    expect(open(receiving, second)).toEqual(opusFrame(2));
    // Out of order inside the window: accepted once.
    expect(open(receiving, first)).toEqual(opusFrame(1));
    expectThrows(() => open(receiving, first), 'sframe-replayed');
    expect(open(receiving, next)).toEqual(opusFrame(3));
    // The previous generation is still held (its grace has not run), and still refuses the replay.
    expectThrows(() => open(receiving, second), 'sframe-replayed');
    expectThrows(() => open(receiving, next), 'sframe-replayed');
  });

  it('serializes overlapping advances: each moves one generation, and the live key keeps working', async () => {
    const sending = await SendKeys.create(baseKey());
    const receiving = await ReceiveKeys.create(baseKey(), { schedule: manualScheduler().schedule });
    await Promise.all([sending.advance(), sending.advance(), sending.advance()]);
    expect(sending.generation).toBe(3n);
    const sealed = encryptMediaFrame(sending.sender, 'opus', opusFrame(3));
    expect(decodeSFrameHeader(sealed.subarray(1)).kid).toBe(3n);
    // Within reach of the receiver's newest generation (0): asking derives it.
    expect(receiving.receiverFor(3n)).toBeUndefined();
    await settle(receiving);
    expect(open(receiving, sealed)).toEqual(opusFrame(3));
    await sending.advance();
    expect(sending.generation).toBe(4n);
  });

  it('derives no further ahead than a few generations for an unauthenticated KID', async () => {
    const receiving = await ReceiveKeys.create(baseKey());
    await settle(receiving);
    expect(receiving.receiverFor(1n)).toBeDefined();
    expect(receiving.receiverFor(1000n)).toBeUndefined();
    await settle(receiving);
    expect(receiving.receiverFor(1000n)).toBeUndefined();
    expect(receiving.receiverFor(4n)).toBeUndefined();
    await settle(receiving);
    // Within reach of the newest (0) generation: derived on request, though not yet trusted.
    expect(receiving.receiverFor(4n)).toBeDefined();
    expect(receiving.generation).toBe(0n);
  });

  it('a wrong receive key opens nothing', async () => {
    const sending = await SendKeys.create(baseKey());
    const wrong = baseKey();
    wrong[0] = 0xff;
    const receiving = await ReceiveKeys.create(wrong);
    const sealed = encryptMediaFrame(sending.sender, 'opus', opusFrame(7));
    expectThrows(() => open(receiving, sealed), 'sframe-auth-failed');
  });

  it('wipe zeroes the base keys it was given and forgets every secret', async () => {
    const sendKey = baseKey();
    const receiveKey = baseKey();
    const sending = await SendKeys.create(sendKey);
    const receiving = await ReceiveKeys.create(receiveKey);
    await settle(receiving);
    const sealed = encryptMediaFrame(sending.sender, 'opus', opusFrame(1));
    sending.wipe();
    receiving.wipe();
    expect(sendKey.every((byte) => byte === 0)).toBe(true);
    // The receiver ratcheted past its handshake key at once (zeroing it) and has now dropped the rest.
    expect(receiveKey.every((byte) => byte === 0)).toBe(true);
    expect(receiving.receiverFor(0n)).toBeUndefined();
    expectThrows(() => open(receiving, sealed), 'sframe-unknown-kid');
  });
});
