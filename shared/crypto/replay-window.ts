/**
 * RFC 9605 §9.3 anti-replay for one KID: the sliding window of RFC 3711 §3.3.2 over the SFrame
 * counter. The counter is 64 bits and never wraps under one key, so there is no roll-over to guess.
 * A counter is accepted once, and not at all once it is `size` or more behind the highest counter
 * accepted so far. The caller checks before it decrypts (a replay costs no AEAD work) and records
 * only after the frame has authenticated: a forged frame must not move the window.
 */
import { CryptoError } from './errors';

/**
 * Counters per window. Audio (50 frames/s) and video (up to 60 frames/s for a shared screen) share
 * one counter sequence per KID, so a video frame that waits for a retransmission sees the counter
 * run on by about 110 a second. 1024 tolerates 9 s of such delay, far beyond what a jitter buffer
 * would still play; a wider window costs 4 bytes per 32 counters and lets nothing through twice.
 */
export const REPLAY_WINDOW_SIZE = 1024;

export class ReplayWindow {
  /** One bit per counter value, at bit `ctr mod size`. */
  readonly #seen: Uint32Array;
  readonly #size: bigint;
  /** The highest counter recorded, or -1 before the first. */
  #highest = -1n;

  constructor(size = REPLAY_WINDOW_SIZE) {
    if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) {
      throw new CryptoError('invalid-input', `a replay window is a positive multiple of 32 counters, not ${size}`);
    }
    this.#seen = new Uint32Array(size / 32);
    this.#size = BigInt(size);
  }

  /** Whether a frame with this counter may still be accepted: never seen, and not too old. */
  allows(ctr: bigint): boolean {
    if (ctr > this.#highest) return true;
    if (this.#highest - ctr >= this.#size) return false;
    return !this.#has(this.#index(ctr));
  }

  /** Records an authenticated frame's counter. Call only after allows() said yes and the AEAD verified. */
  record(ctr: bigint): void {
    if (ctr > this.#highest) {
      // The counters passed over since the highest have not been seen: clear their stale bits.
      if (ctr - this.#highest >= this.#size) {
        this.#seen.fill(0);
      } else {
        for (let skipped = this.#highest + 1n; skipped < ctr; skipped++) this.#set(this.#index(skipped), false);
      }
      this.#highest = ctr;
    }
    this.#set(this.#index(ctr), true);
  }

  // Bit operations on numbers: this runs for every received frame, and bigint work allocates.
  #index(ctr: bigint): number {
    return Number(ctr % this.#size);
  }

  #has(index: number): boolean {
    return (((this.#seen[index >>> 5] ?? 0) >>> (index & 31)) & 1) === 1;
  }

  #set(index: number, seen: boolean): void {
    const word = index >>> 5;
    const bit = 1 << (index & 31);
    const value = this.#seen[word] ?? 0;
    this.#seen[word] = seen ? value | bit : value & ~bit;
  }
}
