import { isCryptoError } from '../../shared/crypto/errors';
import { decryptMediaFrame, encryptMediaFrame, type MediaKind as CodecKind, type SFrameReceiverLookup } from '../../shared/crypto/media-frame';
import { parseGroupKid } from '../../shared/crypto/sframe-mls';
import type { CryptoState, GroupState } from './crypto-state';
import { HeldFrames, type HoldLimits } from './held-frames';
import type { MediaKind, TransformDirection } from './frame-crypto-messages';

/** The only codecs negotiated while encryption is on (codec-preferences.ts on the page). */
export const FRAME_CODEC: Record<MediaKind, CodecKind> = { audio: 'opus', video: 'vp8' };

type EncodedFrame = RTCEncodedAudioFrame | RTCEncodedVideoFrame;

export interface PipelineHooks {
  /** A received video frame under a newer generation than the last one seen: the switch wants a key frame. */
  onNewGeneration?: () => void;
  /** Each received frame as it arrived, before it is opened (the e2e tests' frame recorder). */
  onReceived?: (kind: MediaKind, bytes: Uint8Array) => void;
  /** The clock of held frames' age, in ms; performance.now() unless a test drives it. */
  now?: () => number;
  /** How many frames, and for how long, a group receiver holds for keys still to come. */
  holdLimits?: HoldLimits;
  /**
   * A receiver bound to one member (an SFU slot): who that is now, null for nobody. A group frame
   * whose KID names any other sender is not opened, and counts as failed; on a slot bound to nobody
   * (a member let go, whose frames the SFU still forwards for a moment) it is dropped as stale.
   */
  boundTo?: () => string | null;
}

/** The bytes as an ArrayBuffer of exactly their length, which is what an encoded frame's data must be. */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer;
  return bytes.slice().buffer;
}

/** Passes a frame on to the transform's writable, some frames after it arrived. */
export type ForwardFrame = (chunk: object) => void;

/**
 * Handles one chunk from the transform's readable; true when it goes on to the writable now, as it
 * now is. A group frame held for keys still to come goes on later through `forward` if it opens;
 * without `forward` (a caller that cannot pass frames on later) it is dropped as unkeyed at once.
 */
export type FrameProcessor = (chunk: unknown, forward?: ForwardFrame) => boolean;

/** The sender index a frame's KID names, if the KID is a group member's. */
function senderIndexOf(kid: bigint | undefined): number | undefined {
  if (kid === undefined) return undefined;
  try {
    return parseGroupKid(kid).senderIndex;
  } catch {
    return undefined;
  }
}

/** A frame that opened, or why it did not; `kid` is the frame's KID whenever its header could be read. */
type Opened = { plain: Uint8Array; kid: bigint | undefined } | { plain: undefined; kid: bigint | undefined; why: 'replayed' | 'unknown-kid' | 'failed' };

/** What a frame being held carries with it, so a later try keeps its place and its age. */
interface Holding {
  readonly chunk: object;
  readonly forward: ForwardFrame | undefined;
  readonly since: number;
}

/**
 * One sender's or receiver's frames through SFrame, each changed in place. A frame that cannot be
 * encrypted is dropped (never sent in the clear); one that does not authenticate is dropped (never
 * decoded) and counted as failed; one whose counter was already used is dropped and counted apart.
 * In a group call every send transform encrypts with the one sender of the current epoch (so
 * counters never repeat under a key, however many peer connections there are), and a received
 * frame is opened by its KID: sender index and epoch. A group frame of an epoch newer than any
 * held waits, still ciphertext, for that epoch's keys (held-frames.ts); one of an epoch no longer
 * held is stale (docs/group-calls.md, "Epoch switches").
 */
export function frameProcessor(state: CryptoState, kind: MediaKind, direction: TransformDirection, hooks: PipelineHooks = {}): FrameProcessor {
  const codec = FRAME_CODEC[kind];
  const clock = hooks.now ?? (() => performance.now());
  let lastKid: bigint | undefined;
  let lastEpoch: bigint | undefined;
  let held: HeldFrames | undefined;

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

  /** Opens one frame with the keys `receiverFor` finds by KID; a replay is counted here, anything else by the caller. */
  const open = (bytes: Uint8Array, receiverFor: SFrameReceiverLookup): Opened => {
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
      return { plain, kid };
    } catch (error) {
      if (isCryptoError(error, 'sframe-replayed')) {
        state.report.replayed[kind]++;
        return { plain: undefined, kid, why: 'replayed' };
      }
      return { plain: undefined, kid, why: isCryptoError(error, 'sframe-unknown-kid') ? 'unknown-kid' : 'failed' };
    }
  };

  /** A 1:1 call's frame decrypted; undefined when it must be dropped. */
  const decryptPair = (bytes: Uint8Array): Uint8Array | undefined => {
    const keys = state.receiveKeys;
    if (keys === undefined) {
      state.report.unkeyed[kind]++;
      return undefined;
    }
    const opened = open(bytes, (frameKid) => keys.receiverFor(frameKid));
    if (opened.plain === undefined) {
      if (opened.why !== 'replayed') state.report.failed[kind]++;
      return undefined;
    }
    const { plain, kid } = opened;
    if (kid !== undefined) {
      keys.confirm(kid);
      state.report.receiveGeneration = Number(keys.generation);
      if (lastKid !== undefined && kid > lastKid) hooks.onNewGeneration?.();
      if (lastKid === undefined || kid > lastKid) lastKid = kid;
    }
    state.report.decrypted[kind]++;
    return plain;
  };

  const dropUnkeyed = (count: number): void => {
    state.report.unkeyed[kind] += count;
  };

  /** Tries every held frame again, in order, now that the keys changed: each opens, waits on, or is dropped. */
  const release = (): void => {
    const group = state.group;
    if (held === undefined || group === undefined) return;
    const now = clock();
    for (const frame of held.takeAll()) {
      if (now - frame.since > held.limits.maxAgeMs) {
        dropUnkeyed(1);
        continue;
      }
      const plain = decryptGroup(frame.bytes, group, frame);
      if (plain === undefined) continue;
      (frame.chunk as EncodedFrame).data = exactBuffer(plain);
      try {
        frame.forward(frame.chunk);
      } catch {
        // The transform closed while the frame waited: there is nowhere left to pass it on.
      }
    }
    if (held.size === 0) group.keysChanged.delete(release);
  };

  /** Keeps a frame of an epoch not keyed yet, to be tried again when keys come (or dropped as unkeyed). */
  const hold = (bytes: Uint8Array, group: GroupState, holding: Holding): void => {
    const { forward } = holding;
    if (forward === undefined) {
      dropUnkeyed(1);
      return;
    }
    held ??= new HeldFrames(hooks.holdLimits);
    dropUnkeyed(held.hold({ chunk: holding.chunk, bytes, since: holding.since, forward }).length);
    group.keysChanged.add(release);
  };

  /** A group call's frame decrypted, counted under its sender; undefined when it must be dropped (or is held). */
  const decryptGroup = (bytes: Uint8Array, group: GroupState, holding: Holding): Uint8Array | undefined => {
    const { ring, senders } = group;
    const bound = hooks.boundTo?.();
    if (bound === null) {
      state.report.stale[kind]++;
      return undefined;
    }
    const refused = { misattributed: false };
    const opened = open(bytes, (frameKid) => {
      if (bound !== undefined) {
        const index = senderIndexOf(frameKid);
        const claimed = index === undefined ? undefined : senders.entry(index)?.userId;
        // Not opened at all: its counter must not use up the real sender's replay window.
        if (claimed !== bound) {
          refused.misattributed = true;
          return undefined;
        }
      }
      return ring.receiverFor(frameKid);
    });
    const { kid } = opened;
    if (opened.plain === undefined) {
      if (opened.why === 'replayed') return undefined;
      if (refused.misattributed) {
        state.report.failed[kind]++;
        const index = senderIndexOf(kid);
        const entry = index === undefined ? undefined : senders.entry(index);
        if (entry !== undefined) entry.failed[kind]++;
        return undefined;
      }
      const standing = opened.why === 'unknown-kid' && kid !== undefined ? ring.standing(kid) : 'held';
      if (standing === 'ahead') {
        hold(bytes, group, holding);
        return undefined;
      }
      if (standing === 'stale') {
        state.report.stale[kind]++;
        return undefined;
      }
      if (standing === 'wiped') {
        dropUnkeyed(1);
        return undefined;
      }
      state.report.failed[kind]++;
      const index = senderIndexOf(kid);
      const entry = index === undefined ? undefined : senders.entry(index);
      if (entry !== undefined) entry.failed[kind]++;
      return undefined;
    }
    const { plain } = opened;
    if (kid !== undefined) {
      const index = senderIndexOf(kid);
      const entry = index === undefined ? undefined : senders.entry(index);
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

  const receive = (bytes: Uint8Array, chunk: object, forward: ForwardFrame | undefined): Uint8Array | undefined => {
    hooks.onReceived?.(kind, bytes);
    const group = state.group;
    if (group === undefined) return decryptPair(bytes);
    const now = clock();
    if (held !== undefined && held.size > 0) {
      dropUnkeyed(held.expire(now).length);
      if (held.size === 0) group.keysChanged.delete(release);
    }
    return decryptGroup(bytes, group, { chunk, forward, since: now });
  };

  const { timings } = state;
  return (chunk, forward) => {
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
    const result = direction === 'send' ? encrypt(bytes) : receive(bytes, chunk, forward);
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
  // Also how a frame held for its keys goes on later; after the pump ends the write just fails.
  const forward = (chunk: unknown): void => {
    writer.write(chunk).catch(() => undefined);
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      // WebRTC's sink takes a frame at once; waiting for each write would only add a turn per frame.
      if (process(value, forward)) forward(value);
    }
  } catch {
    // The peer connection closed the stream under us: nothing left to move.
  } finally {
    reader.releaseLock();
    writer.releaseLock();
  }
}
