import type { FrameTimingSamples } from './frame-timings';

/*
 * The messages between the page and the frame-crypto worker. Only base keys travel this way, and
 * only from the page to the worker: nothing the worker sends back is secret.
 */

export type MediaKind = 'audio' | 'video';
export type TransformDirection = 'send' | 'receive';

/** What each transform carries in its options, so the worker knows which pipeline it is. */
export interface TransformOptions {
  kind: MediaKind;
  direction: TransformDirection;
}

export interface PerKind {
  audio: number;
  video: number;
}

/** What the worker reports about itself: counts and generations, never key material. */
export interface CryptoReport {
  encrypted: PerKind;
  decrypted: PerKind;
  /** Frames dropped because they did not authenticate (wrong key, unknown generation, tampering). */
  failed: PerKind;
  /** Frames dropped because no key was loaded yet (or any more): never sent or decoded in the clear. */
  unkeyed: PerKind;
  /**
   * Authentic-looking frames dropped because their counter had already opened a frame, or is too
   * far behind: mostly network duplicates (a spurious retransmission re-assembles a one-packet
   * video frame), which the decoder would have dropped anyway. Not failures.
   */
  replayed: PerKind;
  /** The KID (= key generation) the sender encrypts under now. */
  sendGeneration: number;
  /** The newest generation that has authenticated a received frame. */
  receiveGeneration: number;
  /** Transforms running in this worker, by direction and kind ("send-video", …). */
  transforms: string[];
  keysLoaded: boolean;
  keysWiped: boolean;
}

export type PageToWorker =
  | {
      type: 'keys';
      /** Both 32-byte base keys; their buffers are transferred, so the page keeps no copy. */
      sendKey: Uint8Array<ArrayBuffer>;
      receiveKey: Uint8Array<ArrayBuffer>;
      /** How often the sender ratchets to the next key generation. */
      ratchetIntervalMs: number;
    }
  | {
      /** The legacy createEncodedStreams path: the streams of one sender or receiver. */
      type: 'streams';
      kind: MediaKind;
      direction: TransformDirection;
      readable: ReadableStream<unknown>;
      writable: WritableStream<unknown>;
    }
  | { type: 'wipe' }
  /** Benchmarks only: 'start' switches per-frame timing on, 'read' asks for the samples. */
  | { type: 'timings'; action: 'start' | 'read' };

export type WorkerToPage =
  | { type: 'report'; report: CryptoReport }
  /** The answer to 'wipe': every key is zeroed and dropped. */
  | { type: 'wiped'; report: CryptoReport }
  | { type: 'problem'; message: string }
  /** The answer to a 'timings' read. */
  | { type: 'timings'; samples: FrameTimingSamples };

export function emptyReport(): CryptoReport {
  return {
    encrypted: { audio: 0, video: 0 },
    decrypted: { audio: 0, video: 0 },
    failed: { audio: 0, video: 0 },
    unkeyed: { audio: 0, video: 0 },
    replayed: { audio: 0, video: 0 },
    sendGeneration: 0,
    receiveGeneration: 0,
    transforms: [],
    keysLoaded: false,
    keysWiped: false,
  };
}

export function isTransformOptions(value: unknown): value is TransformOptions {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, direction } = value as Partial<Record<keyof TransformOptions, unknown>>;
  return (kind === 'audio' || kind === 'video') && (direction === 'send' || direction === 'receive');
}
