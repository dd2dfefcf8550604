import { isCryptoError } from '../../shared/crypto/errors';
import { decryptMediaFrame, encryptMediaFrame, type MediaKind as CodecKind, type SFrameReceiverLookup } from '../../shared/crypto/media-frame';
import { parseGroupKid } from '../../shared/crypto/sframe-mls';
import type { CryptoState, GroupState } from './crypto-state';
import type { MediaKind, TransformDirection } from './frame-crypto-messages';

/** The only codecs negotiated while encryption is on (codec-preferences.ts on the page). */
export const FRAME_CODEC: Record<MediaKind, CodecKind> = { audio: 'opus', video: 'vp8' };

type EncodedFrame = RTCEncodedAudioFrame | RTCEncodedVideoFrame;

export interface PipelineHooks {
  /** A received video frame under a newer generation than the last one seen: the switch wants a key frame. */
  onNewGeneration?: () => void;
  /** Each received frame as it arrived, before it is opened (the e2e tests' frame recorder). */
  onReceived?: (kind: MediaKind, bytes: Uint8Array) => void;
}

/** The bytes as an ArrayBuffer of exactly their length, which is what an encoded frame's data must be. */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer;
  return bytes.slice().buffer;
}

/** Handles one chunk from the transform's readable; true when it goes on to the writable as it now is. */
export type FrameProcessor = (chunk: unknown) => boolean;

/** The sender index a frame's KID names, if the KID is a group member's. */
function senderIndexOf(kid: bigint | undefined): number | undefined {
  if (kid === undefined) return undefined;
  try {
    return parseGroupKid(kid).senderIndex;
  } catch {
    return undefined;
  }
}

/**
 * One sender's or receiver's frames through SFrame, each changed in place. A frame that cannot be
 * encrypted is dropped (never sent in the clear); one that does not authenticate is dropped (never
 * decoded) and counted as failed; one whose counter was already used is dropped and counted apart.
 * In a group call every send transform encrypts with the one sender of the current epoch (so
 * counters never repeat under a key, however many peer connections there are), and a received
 * frame is opened by its KID: sender index and epoch.
 */
export function frameProcessor(state: CryptoState, kind: MediaKind, direction: TransformDirection, hooks: PipelineHooks = {}): FrameProcessor {
  const codec = FRAME_CODEC[kind];
  let lastKid: bigint | undefined;
  let lastEpoch: bigint | undefined;

  /** The frame's bytes encrypted; undefined when the frame must be dropped. */
  const encrypt = (bytes: Uint8Array): Uint8Array | undefined => {
    const sender = state.group === undefined ? state.sendKeys?.sender : state.group.ring.sender;
    if (sender === undefined) {
      state.report.unkeyed[kind]++;
      return undefined;
    }
    let sealed: Uint8Array;
    try {
      sealed = encryptMediaFrame(sender, codec, bytes);
    } catch {
      // A truncated frame or exhausted counters: drop rather than send anything unencrypted.
      state.report.unkeyed[kind]++;
      return undefined;
    }
    state.report.encrypted[kind]++;
    return sealed;
  };

  /**
   * Opens one frame with the keys `receiverFor` finds by KID. A replay is counted here; a frame
   * that does not open comes back with `plain` undefined and `failed` true, for the caller to
   * count where it belongs. `kid` is the frame's KID whenever its header could be read.
   */
  const open = (bytes: Uint8Array, receiverFor: SFrameReceiverLookup): { plain: Uint8Array | undefined; kid: bigint | undefined; failed: boolean } => {
    let kid: bigint | undefined;
    try {
      const plain = decryptMediaFrame(
        (frameKid) => {
          kid = frameKid;
          return receiverFor(frameKid);
        },
        codec,
        bytes,
      );
      return { plain, kid, failed: false };
    } catch (error) {
      if (isCryptoError(error, 'sframe-replayed')) {
        state.report.replayed[kind]++;
        return { plain: undefined, kid, failed: false };
      }
      state.report.failed[kind]++;
      return { plain: undefined, kid, failed: true };
    }
  };

  /** A 1:1 call's frame decrypted; undefined when it must be dropped. */
  const decryptPair = (bytes: Uint8Array): Uint8Array | undefined => {
    const keys = state.receiveKeys;
    if (keys === undefined) {
      state.report.unkeyed[kind]++;
      return undefined;
    }
    const { plain, kid } = open(bytes, (frameKid) => keys.receiverFor(frameKid));
    if (plain === undefined) return undefined;
    if (kid !== undefined) {
      keys.confirm(kid);
      state.report.receiveGeneration = Number(keys.generation);
      if (lastKid !== undefined && kid > lastKid) hooks.onNewGeneration?.();
      if (lastKid === undefined || kid > lastKid) lastKid = kid;
    }
    state.report.decrypted[kind]++;
    return plain;
  };

  /** A group call's frame decrypted, counted under its sender; undefined when it must be dropped. */
  const decryptGroup = (bytes: Uint8Array, group: GroupState): Uint8Array | undefined => {
    const { ring, senders } = group;
    if (ring.sendEpoch === undefined) {
      state.report.unkeyed[kind]++;
      return undefined;
    }
    const { plain, kid, failed } = open(bytes, (frameKid) => ring.receiverFor(frameKid));
    const index = senderIndexOf(kid);
    const entry = index === undefined ? undefined : senders.entry(index);
    if (plain === undefined) {
      if (failed && entry !== undefined) entry.failed[kind]++;
      return undefined;
    }
    if (kid !== undefined) {
      const epoch = ring.epochFor(kid);
      ring.confirm(kid);
      if (entry !== undefined) {
        entry.decrypted[kind]++;
        if (epoch !== undefined && (entry.lastEpoch === null || epoch > BigInt(entry.lastEpoch))) entry.lastEpoch = Number(epoch);
      }
      if (epoch !== undefined) {
        if (lastEpoch !== undefined && epoch > lastEpoch) hooks.onNewGeneration?.();
        if (lastEpoch === undefined || epoch > lastEpoch) lastEpoch = epoch;
      }
    }
    state.report.decrypted[kind]++;
    return plain;
  };

  const transform =
    direction === 'send'
      ? encrypt
      : (bytes: Uint8Array) => {
          hooks.onReceived?.(kind, bytes);
          return state.group === undefined ? decryptPair(bytes) : decryptGroup(bytes, state.group);
        };

  const { timings } = state;
  return (chunk) => {
    if (typeof chunk !== 'object' || chunk === null) return false;
    const started = timings.enabled ? performance.now() : 0;
    // The frame's data is read once: in Chromium each read of an encoded frame's `data` is a
    // call into the browser.
    const data: unknown = (chunk as { data?: unknown }).data;
    if (!(data instanceof ArrayBuffer)) return false;
    // Empty frames carry nothing to protect, and the other side passes them on untouched too.
    if (data.byteLength === 0) return true;
    const bytes = new Uint8Array(data);
    const read = timings.enabled ? performance.now() : 0;
    const result = transform(bytes);
    const transformed = timings.enabled ? performance.now() : 0;
    if (result !== undefined) (chunk as EncodedFrame).data = exactBuffer(result);
    // Timed: reading the frame's bytes, SFrame, writing them back. Passing the frame on is the
    // stream's own cost, which a transform without any crypto pays as well.
    if (timings.enabled) {
      const ended = performance.now();
      timings.record(direction, kind, (ended - started) * 1000, { read: (read - started) * 1000, write: (ended - transformed) * 1000 });
    }
    return result !== undefined;
  };
}

/**
 * Moves every frame from `readable` through `process` to `writable`, one at a time, in the
 * worker's own thread. A reader and a writer rather than pipeThrough(TransformStream).pipeTo():
 * one stream and its promises fewer per frame, measured at about a fifth less worker CPU. Ends
 * quietly when the connection closes either stream.
 */
export async function pumpFrames(readable: ReadableStream<unknown>, writable: WritableStream<unknown>, process: FrameProcessor): Promise<void> {
  const reader = readable.getReader();
  const writer = writable.getWriter();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      // WebRTC's sink takes a frame at once; waiting for each write would only add a turn per frame.
      if (process(value)) writer.write(value).catch(() => undefined);
    }
  } catch {
    // The peer connection closed the stream under us: nothing left to move.
  } finally {
    reader.releaseLock();
    writer.releaseLock();
  }
}
