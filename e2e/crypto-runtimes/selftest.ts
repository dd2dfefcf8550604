/*
 * One exercise of shared/crypto, run unchanged in Node, in a Chromium page and in a Worker: the
 * spec compares the three results. Deterministic parts (SFrame in the media suite on the RFC 9605
 * vector's inputs, a safety number) must be identical everywhere; random parts (a handshake) must agree between its two sides.
 */
import { fromHex, toHex } from '../../shared/crypto/bytes';
import { isCryptoError } from '../../shared/crypto/errors';
import { answerCall, finishAsCallee, finishAsCaller, startCall } from '../../shared/crypto/handshake';
import { generateIdentityKeyPair, serializeIdentityKey } from '../../shared/crypto/identity';
import { decryptMediaFrame, encryptMediaFrame } from '../../shared/crypto/media-frame';
import { safetyNumber } from '../../shared/crypto/safety-number';
import { deriveSFrameSecret, sframeDecrypt, sframeEncrypt, SFrameReceiver, SFrameSender } from '../../shared/crypto/sframe';
import { loadSodium } from '../../shared/crypto/sodium';

export interface SelfTestInput {
  baseKey: string;
  kid: string;
  ctr: string;
  metadata: string;
  plaintext: string;
}

export interface SelfTestResult {
  sframeCiphertext: string;
  sframeRoundTrip: string;
  wrongKeyError: string;
  safetyNumber: string;
  handshakeKeysAgree: boolean;
  handshakeShortCodesAgree: boolean;
  mediaFrameRoundTrip: boolean;
}

const FP_A = `sha-256 ${Array.from({ length: 32 }, () => 'AA').join(':')}`;
const FP_B = `sha-256 ${Array.from({ length: 32 }, () => 'BB').join(':')}`;

export async function runCryptoSelfTest(input: SelfTestInput): Promise<SelfTestResult> {
  await loadSodium();
  const kid = BigInt(input.kid);
  const secret = await deriveSFrameSecret(fromHex(input.baseKey), kid);
  const ciphertext = sframeEncrypt(secret, kid, BigInt(input.ctr), fromHex(input.metadata), fromHex(input.plaintext));
  const opened = sframeDecrypt(secret, fromHex(input.metadata), ciphertext);

  const wrongSecret = await deriveSFrameSecret(new Uint8Array(32).fill(0xee), kid);
  let wrongKeyError = 'decrypted with the wrong key';
  try {
    sframeDecrypt(wrongSecret, fromHex(input.metadata), ciphertext);
  } catch (error) {
    wrongKeyError = isCryptoError(error) ? error.code : 'not a CryptoError';
  }

  const number = safetyNumber(
    { id: 'alice@example.com', identityKey: serializeIdentityKey(new Uint8Array(32).fill(0x11)) },
    { id: 'zoë@example.com', identityKey: serializeIdentityKey(new Uint8Array(32).fill(0x22)) },
  );

  const alice = { id: 'alice', identity: await generateIdentityKeyPair() };
  const bob = { id: 'bob', identity: await generateIdentityKeyPair() };
  const started = await startCall({ callId: 'selftest', self: alice, peer: { id: bob.id, identityKey: bob.identity.publicKey }, fingerprint: FP_A, media: { audio: true, video: true } });
  const answered = await answerCall({
    callId: 'selftest',
    self: bob,
    peer: { id: alice.id, identityKey: alice.identity.publicKey },
    fingerprint: FP_B,
    media: { audio: true, video: true },
    invite: started.invite,
  });
  const finished = await finishAsCaller(started.state, answered.accept);
  const bobKeys = await finishAsCallee(answered.state, finished.confirm);

  const frame = Uint8Array.from({ length: 1200 }, (_, i) => i & 0xff);
  frame[0] = 0x10; // a VP8 key frame: bit 0 clear
  const sendSecret = await deriveSFrameSecret(finished.keys.sendKey, 0n);
  const receiveSecret = await deriveSFrameSecret(bobKeys.receiveKey, 0n);
  const wire = encryptMediaFrame(new SFrameSender(sendSecret), 'vp8', frame);
  const back = decryptMediaFrame(new SFrameReceiver(receiveSecret), 'vp8', wire);

  return {
    sframeCiphertext: toHex(ciphertext),
    sframeRoundTrip: toHex(opened.plaintext),
    wrongKeyError,
    safetyNumber: number,
    handshakeKeysAgree:
      toHex(finished.keys.sendKey) === toHex(bobKeys.receiveKey) && toHex(finished.keys.receiveKey) === toHex(bobKeys.sendKey),
    handshakeShortCodesAgree: finished.keys.shortCode === bobKeys.shortCode && /^\d{12}$/.test(bobKeys.shortCode),
    mediaFrameRoundTrip: toHex(back) === toHex(frame) && toHex(wire.subarray(0, 10)) === toHex(frame.subarray(0, 10)),
  };
}
