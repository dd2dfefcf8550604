import { decryptMediaFrame, encryptMediaFrame, type MediaKind as CodecKind } from '../../shared/crypto/media-frame';
import type { CryptoState } from './crypto-state';
import type { MediaKind, TransformDirection } from './frame-crypto-messages';

/** The only codecs negotiated while encryption is on (codec-preferences.ts on the page). */
const CODEC: Record<MediaKind, CodecKind> = { audio: 'opus', video: 'vp8' };

type EncodedFrame = RTCEncodedAudioFrame | RTCEncodedVideoFrame;

export interface PipelineHooks {
  /** A received video frame under a newer generation than the last one seen: the switch wants a key frame. */
  onNewGeneration?: () => void;
}

function isEncodedFrame(chunk: unknown): chunk is EncodedFrame {
  return typeof chunk === 'object' && chunk !== null && (chunk as { data?: unknown }).data instanceof ArrayBuffer;
}

/** The bytes as an ArrayBuffer of exactly their length, which is what an encoded frame's data must be. */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer;
  return bytes.slice().buffer;
}

/**
 * One sender's or receiver's frames through SFrame. A frame that cannot be encrypted is dropped
 * (never sent in the clear); one that does not authenticate is dropped (never decoded) and counted.
 */
export function frameTransformer(
  state: CryptoState,
  kind: MediaKind,
  direction: TransformDirection,
  hooks: PipelineHooks = {},
): TransformStream<unknown, unknown> {
  const codec = CODEC[kind];
  let lastKid: bigint | undefined;

  const encrypt = (frame: EncodedFrame, controller: TransformStreamDefaultController<unknown>) => {
    const sender = state.sendKeys?.sender;
    if (sender === undefined) {
      state.report.unkeyed[kind]++;
      return;
    }
    try {
      frame.data = exactBuffer(encryptMediaFrame(sender, codec, new Uint8Array(frame.data)));
    } catch {
      // A truncated frame or exhausted counters: drop rather than send anything unencrypted.
      state.report.unkeyed[kind]++;
      return;
    }
    state.report.encrypted[kind]++;
    controller.enqueue(frame);
  };

  const decrypt = (frame: EncodedFrame, controller: TransformStreamDefaultController<unknown>) => {
    const keys = state.receiveKeys;
    if (keys === undefined) {
      state.report.unkeyed[kind]++;
      return;
    }
    let kid: bigint | undefined;
    try {
      const plain = decryptMediaFrame(
        (frameKid) => {
          kid = frameKid;
          return keys.secretFor(frameKid);
        },
        codec,
        new Uint8Array(frame.data),
      );
      frame.data = exactBuffer(plain);
    } catch {
      state.report.failed[kind]++;
      return;
    }
    if (kid !== undefined) {
      keys.confirm(kid);
      state.report.receiveGeneration = Number(keys.generation);
      if (lastKid !== undefined && kid > lastKid) hooks.onNewGeneration?.();
      if (lastKid === undefined || kid > lastKid) lastKid = kid;
    }
    state.report.decrypted[kind]++;
    controller.enqueue(frame);
  };

  const { timings } = state;
  return new TransformStream<unknown, unknown>({
    // Synchronous: the cipher runs on this thread, so a frame never waits for another one.
    transform(chunk, controller) {
      if (!isEncodedFrame(chunk)) return;
      // Empty frames carry nothing to protect, and the other side passes them on untouched too.
      if (chunk.data.byteLength === 0) {
        controller.enqueue(chunk);
        return;
      }
      const started = timings.enabled ? performance.now() : 0;
      if (direction === 'send') encrypt(chunk, controller);
      else decrypt(chunk, controller);
      if (timings.enabled) timings.record(direction, kind, (performance.now() - started) * 1000);
    },
  });
}
