import { decryptMediaFrame } from '../../shared/crypto/media-frame';
import { SFrameReceiver } from '../../shared/crypto/sframe';
import type { CryptoState } from './crypto-state';
import { FRAME_CODEC } from './frame-pipeline';
import type { MediaKind, RecordedFrame } from './frame-crypto-messages';

/*
 * For the e2e tests that prove forward and backward secrecy (docs/group-calls.md, "Proving the
 * rekey"): the worker can keep a copy of the next received frames, as they arrived (ciphertext,
 * which anyone on the network sees anyway), and later try to open a list of such frames with the
 * keys it holds then. Nothing tried is passed on or counted, and a fresh replay window is used, so
 * a frame this worker already opened live still counts as one it can open.
 */

/** Enough for a few seconds of audio and video; a page asking for more gets this many. */
export const MAX_RECORDED_FRAMES = 400;

/** The KID in a frame's SFrame header, or null when the header does not parse. */
function kidOf(kind: MediaKind, bytes: Uint8Array): number | null {
  let kid: bigint | undefined;
  try {
    decryptMediaFrame(
      (frameKid) => {
        kid = frameKid;
        return undefined;
      },
      FRAME_CODEC[kind],
      bytes.slice(),
    );
  } catch {
    // No receiver was given: only the header was wanted.
  }
  return kid === undefined ? null : Number(kid);
}

export class FrameRecorder {
  #left = 0;
  #frames: RecordedFrame[] = [];

  /** From now on, copies the next `count` received frames (any sender, either kind); drops what it had. */
  start(count: number): void {
    this.#frames = [];
    this.#left = Number.isSafeInteger(count) ? Math.max(0, Math.min(count, MAX_RECORDED_FRAMES)) : 0;
  }

  /** A received frame as it arrived, before it is opened. */
  see(kind: MediaKind, bytes: Uint8Array): void {
    if (this.#left === 0) return;
    this.#left -= 1;
    this.#frames.push({ kind, kid: kidOf(kind, bytes), bytes: bytes.slice() });
  }

  /** The frames kept so far, handed over and forgotten here. */
  take(): RecordedFrame[] {
    const frames = this.#frames;
    this.#frames = [];
    return frames;
  }
}

/** How many of `frames` open with the group keys held now; nothing is passed on or counted. */
export function tryDecryptFrames(state: CryptoState, frames: readonly RecordedFrame[]): { decrypted: number; failed: number } {
  const ring = state.group?.ring;
  let decrypted = 0;
  let failed = 0;
  for (const frame of frames) {
    try {
      if (ring === undefined || !(frame.bytes instanceof Uint8Array)) throw new Error('no keys, or no frame');
      decryptMediaFrame(
        (kid) => {
          const held = ring.receiverFor(kid);
          return held === undefined ? undefined : new SFrameReceiver(held.secret);
        },
        FRAME_CODEC[frame.kind],
        frame.bytes.slice(),
      );
      decrypted += 1;
    } catch {
      failed += 1;
    }
  }
  return { decrypted, failed };
}
