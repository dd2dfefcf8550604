/*
 * Received group-call frames whose KID names an epoch newer than any the worker holds yet: the
 * sender's core applied a commit before ours did (docs/group-calls.md, "Epoch switches"). They
 * wait here, still ciphertext, until that epoch's keys arrive or a bound is reached. One queue per
 * receive transform, that is per sender and media kind.
 */

/** The most frames one receive transform holds: about 2 s of audio at 50 frames a second. */
export const HOLD_MAX_FRAMES = 100;
/** The longest a frame waits for its epoch's keys before it is dropped as unkeyed. */
export const HOLD_MAX_AGE_MS = 2000;

export interface HeldFrame {
  /** The encoded frame itself, its data untouched until it opens. */
  readonly chunk: object;
  readonly bytes: Uint8Array;
  /** When it was held, on the queue's clock. */
  readonly since: number;
  /** Passes the frame on once it has opened (the transform's writer, some frames later). */
  readonly forward: (chunk: object) => void;
}

export interface HoldLimits {
  readonly maxFrames: number;
  readonly maxAgeMs: number;
}

export class HeldFrames {
  #frames: HeldFrame[] = [];

  constructor(readonly limits: HoldLimits = { maxFrames: HOLD_MAX_FRAMES, maxAgeMs: HOLD_MAX_AGE_MS }) {}

  get size(): number {
    return this.#frames.length;
  }

  /** Adds a frame at the back; gives back the oldest ones pushed out to stay within the count. */
  hold(frame: HeldFrame): HeldFrame[] {
    this.#frames.push(frame);
    const over = this.#frames.length - this.limits.maxFrames;
    return over > 0 ? this.#frames.splice(0, over) : [];
  }

  /** Takes out the frames that have waited longer than the age bound at `now`, oldest first. */
  expire(now: number): HeldFrame[] {
    let count = 0;
    while (count < this.#frames.length && now - (this.#frames[count]?.since ?? now) > this.limits.maxAgeMs) count++;
    return count === 0 ? [] : this.#frames.splice(0, count);
  }

  /** Takes out every frame, in the order they arrived. */
  takeAll(): HeldFrame[] {
    const frames = this.#frames;
    this.#frames = [];
    return frames;
  }
}
