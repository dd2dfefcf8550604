import type { MediaKind, TransformDirection } from './frame-crypto-messages';

/** Samples kept per series: about two minutes of 30 fps video, a bounded memory cost. */
const CAPACITY = 4096;

type Series = `${TransformDirection}-${MediaKind}`;
const SERIES: readonly Series[] = ['send-audio', 'send-video', 'receive-audio', 'receive-video'];

/**
 * Per-frame cost in µs, by direction and kind, in the ring buffer's order: `send-video` is the
 * whole of a frame's time in the worker's crypto (read its bytes, SFrame, write them back);
 * `send-video:read` and `send-video:write` are the parts spent reading the frame's data and
 * setting it, the rest is SFrame. Entry i of the three series is the same frame.
 */
export type FrameTimingSamples = Record<Series | `${Series}:read` | `${Series}:write`, number[]>;

export interface FrameTimingParts {
  /** Reading the frame's `data` and viewing its bytes. */
  readonly read: number;
  /** Setting the frame's `data` to the result. */
  readonly write: number;
}

export function emptyTimingSamples(): FrameTimingSamples {
  const samples: Partial<FrameTimingSamples> = {};
  for (const series of SERIES) {
    samples[series] = [];
    samples[`${series}:read`] = [];
    samples[`${series}:write`] = [];
  }
  return samples as FrameTimingSamples;
}

function noneTaken(): Record<Series, number> {
  return { 'send-audio': 0, 'send-video': 0, 'receive-audio': 0, 'receive-video': 0 };
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
  #taken = noneTaken();

  /** Switches sampling on, from an empty record. */
  start(): void {
    this.#samples = emptyTimingSamples();
    this.#taken = noneTaken();
    this.enabled = true;
  }

  record(direction: TransformDirection, kind: MediaKind, micros: number, parts: FrameTimingParts = { read: 0, write: 0 }): void {
    const series = `${direction}-${kind}` as const;
    const at = this.#taken[series] % CAPACITY;
    this.#samples[series][at] = micros;
    this.#samples[`${series}:read`][at] = parts.read;
    this.#samples[`${series}:write`][at] = parts.write;
    this.#taken[series]++;
  }

  /** The kept samples, in the ring buffer's order (the same for a series and its parts). */
  read(): FrameTimingSamples {
    return structuredClone(this.#samples);
  }
}
