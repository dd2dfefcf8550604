import { describe, expect, it } from 'vitest';
import { decryptMediaFrame, encryptMediaFrame } from '../../shared/crypto/media-frame';
import { decodeSFrameHeader } from '../../shared/crypto/sframe';
import { expectThrows } from '../../shared/crypto/expect-rejects.fixture';
import { ReceiveKeys, SendKeys } from './key-ring';
import { ratchetBaseKey } from './ratchet';

const baseKey = () => Uint8Array.from({ length: 32 }, (_, index) => index + 1);
/** An Opus frame: the TOC byte stays clear, the rest is encrypted. */
const opusFrame = (fill: number) => Uint8Array.from({ length: 40 }, () => fill);

async function settle(): Promise<void> {
  // Key derivations run on WebCrypto promises; a few turns of the event loop finish them.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function open(keys: ReceiveKeys, frame: Uint8Array): Uint8Array {
  let kid: bigint | undefined;
  const plain = decryptMediaFrame(
    (frameKid) => {
      kid = frameKid;
      return keys.secretFor(frameKid);
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
    await settle();
    for (let generation = 0; generation < 4; generation++) {
      const sealed = encryptMediaFrame(sending.sender, 'opus', opusFrame(generation));
      expect(decodeSFrameHeader(sealed.subarray(1)).kid).toBe(BigInt(generation));
      // The receiver has this generation before its first frame: it was derived ahead.
      expect(open(receiving, sealed)).toEqual(opusFrame(generation));
      expect(receiving.generation).toBe(BigInt(generation));
      await sending.advance();
      await settle();
    }
  });

  it('keeps two generations behind the newest for late frames, and forgets older ones', async () => {
    const sending = await SendKeys.create(baseKey());
    const receiving = await ReceiveKeys.create(baseKey());
    const sealed: Uint8Array[] = [];
    for (let generation = 0; generation < 4; generation++) {
      sealed.push(encryptMediaFrame(sending.sender, 'opus', opusFrame(generation)));
      await sending.advance();
    }
    await settle();
    open(receiving, sealed[0] ?? new Uint8Array());
    await settle();
    open(receiving, sealed[1] ?? new Uint8Array());
    await settle();
    // Generation 2 never showed up, so 3 is not derived yet: its first frame fails, and asks for it.
    expectThrows(() => open(receiving, sealed[3] ?? new Uint8Array()), 'sframe-unknown-kid');
    await settle();
    expect(open(receiving, sealed[3] ?? new Uint8Array())).toEqual(opusFrame(3));
    await settle();
    expect(receiving.generation).toBe(3n);
    // Generation 2 arrives late: still held. Generation 0 is past the window: gone.
    expect(open(receiving, sealed[2] ?? new Uint8Array())).toEqual(opusFrame(2));
    expectThrows(() => open(receiving, sealed[0] ?? new Uint8Array()), 'sframe-unknown-kid');
  });

  it('derives no further ahead than a few generations for an unauthenticated KID', async () => {
    const receiving = await ReceiveKeys.create(baseKey());
    await settle();
    expect(receiving.secretFor(1n)).toBeDefined();
    expect(receiving.secretFor(1000n)).toBeUndefined();
    await settle();
    expect(receiving.secretFor(1000n)).toBeUndefined();
    expect(receiving.secretFor(4n)).toBeUndefined();
    await settle();
    // Within reach of the newest (0) generation: derived on request, though not yet trusted.
    expect(receiving.secretFor(4n)).toBeDefined();
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
    await settle();
    const sealed = encryptMediaFrame(sending.sender, 'opus', opusFrame(1));
    sending.wipe();
    receiving.wipe();
    expect(sendKey.every((byte) => byte === 0)).toBe(true);
    // The receiver ratcheted past its handshake key at once (zeroing it) and has now dropped the rest.
    expect(receiveKey.every((byte) => byte === 0)).toBe(true);
    expect(receiving.secretFor(0n)).toBeUndefined();
    expectThrows(() => open(receiving, sealed), 'sframe-unknown-kid');
  });
});
