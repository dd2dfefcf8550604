import type { MediaKind, TransformDirection } from './frame-crypto-messages';

/** Samples kept per direction and kind: about two minutes of 30 fps video, a bounded memory cost. */
const CAPACITY = 4096;

/** Per-frame SFrame cost in µs, by direction and kind, newest last. */
export type FrameTimingSamples = Record<`${TransformDirection}-${MediaKind}`, number[]>;

export function emptyTimingSamples(): FrameTimingSamples {
  return { 'send-audio': [], 'send-video': [], 'receive-audio': [], 'receive-video': [] };
}

/**
 * Per-frame encrypt and decrypt times, kept only while a benchmark has switched them on
 * (diagnostics' `frameTimings`): when off, the pipeline's only cost is reading `enabled`.
 * Times carry no key material; with cross-origin isolation the timer is fine-grained.
 */
export class FrameTimings {
  enabled = false;
  #samples = emptyTimingSamples();
  /** How many samples each series has taken in all; past CAPACITY the oldest are overwritten. */
  #taken = { 'send-audio': 0, 'send-video': 0, 'receive-audio': 0, 'receive-video': 0 };

  /** Switches sampling on, from an empty record. */
  start(): void {
    this.#samples = emptyTimingSamples();
    this.#taken = { 'send-audio': 0, 'send-video': 0, 'receive-audio': 0, 'receive-video': 0 };
    this.enabled = true;
  }

  record(direction: TransformDirection, kind: MediaKind, micros: number): void {
    const series = `${direction}-${kind}` as const;
    this.#samples[series][this.#taken[series] % CAPACITY] = micros;
    this.#taken[series]++;
  }

  /** The kept samples, in no particular order (a ring buffer's). */
  read(): FrameTimingSamples {
    return structuredClone(this.#samples);
  }
}
