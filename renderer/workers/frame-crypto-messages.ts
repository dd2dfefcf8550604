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
  /**
   * A receiver of an SFU subscription: the slot (its mid) whose member the page names with a
   * 'bind' message. Only that member's frames open there, so a feed the SFU mislabels fails to
   * decrypt instead of playing as someone else (docs/threat-model.md, "A hostile SFU").
   */
  slot?: string;
}

/** A slot name is a mid: short. This only keeps a bad option from growing the worker's map. */
export const MAX_SLOT_LENGTH = 64;

export interface PerKind {
  audio: number;
  video: number;
}

/**
 * The most senders a group epoch lists: a meeting over the SFU holds up to 50 people. The worker
 * does not import the IPC contract (zod stays out of its bundle); a test holds the two equal.
 */
export const MAX_GROUP_SENDERS = 50;

/** One other member of a group call, as the worker has seen its frames. */
export interface SenderReport {
  /** The member's MLS leaf index: the sender index in its frames' KIDs. */
  index: number;
  userId: string;
  decrypted: PerKind;
  /** Frames whose KID names this sender but that did not open: a key this worker lacks, or tampering. */
  failed: PerKind;
  /** The newest epoch a frame of this sender opened under; null before the first. */
  lastEpoch: number | null;
}

/** Which keys the worker serves: fixed by the first keys message it takes. */
export type CryptoMode = 'none' | 'pair' | 'group';

/** What the worker reports about itself: counts and generations, never key material. */
export interface CryptoReport {
  mode: CryptoMode;
  encrypted: PerKind;
  decrypted: PerKind;
  /** Frames dropped because they did not authenticate (wrong key, unknown generation, tampering). */
  failed: PerKind;
  /**
   * Frames dropped because no key was loaded yet (or any more): never sent or decoded in the clear.
   * In a group call, also received frames of an epoch whose keys did not arrive while they were
   * held (renderer/workers/held-frames.ts).
   */
  unkeyed: PerKind;
  /** Group calls: received frames of an epoch this worker no longer holds (or never held): a peer that switched late, or frames from before this member joined. Not failures. */
  stale: PerKind;
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
  /** Group calls: the other members of the newest epoch (and earlier ones while room is left), at most MAX_GROUP_SENDERS. */
  senders: SenderReport[];
  /** Group calls: the MLS epoch this worker sends under; null before the first epoch and after the wipe. */
  sendEpoch: number | null;
  /** Group calls: the epochs whose keys the worker holds, oldest first. */
  epochsHeld: number[];
}

/** One sender of a group epoch as the page hands it over. */
export interface GroupSender {
  index: number;
  userId: string;
}

/** A received frame as it arrived (e2e tests only): ciphertext, which the network sees anyway. */
export interface RecordedFrame {
  kind: MediaKind;
  /** The SFrame KID in its header; null when the header does not parse. */
  kid: number | null;
  bytes: Uint8Array;
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
      /** One MLS epoch of a group call (docs/group-calls.md, "The worker's key ring"). */
      type: 'group-keys';
      epoch: number;
      /** This member's leaf index: what it sends under. */
      ownIndex: number;
      /** The epoch's 32-byte SFrame base key; its buffer is transferred, and the worker zeroes it once derived. */
      baseKey: Uint8Array<ArrayBuffer>;
      /** Every member of the epoch (this one may be among them), at most MAX_GROUP_SENDERS. */
      senders: GroupSender[];
    }
  | {
      /** The legacy createEncodedStreams path: the streams of one sender or receiver. */
      type: 'streams';
      kind: MediaKind;
      direction: TransformDirection;
      readable: ReadableStream<unknown>;
      writable: WritableStream<unknown>;
      slot?: string;
    }
  /**
   * Which member an SFU receiver slot carries now (null: nobody, every frame there fails). Sent
   * before the description that makes or reuses the slot is applied.
   */
  | { type: 'bind'; slot: string; userId: string | null }
  | { type: 'wipe' }
  /** Benchmarks only: 'start' switches per-frame timing on, 'read' asks for the samples. */
  | { type: 'timings'; action: 'start' | 'read' }
  /** E2e tests only: keep a copy of the next `count` received frames; 'read' hands them over. */
  | { type: 'record'; action: 'start'; count: number }
  | { type: 'record'; action: 'read' }
  /** E2e tests only: how many of these frames open with the keys held now (nothing is passed on). */
  | { type: 'try-decrypt'; frames: RecordedFrame[] };

export type WorkerToPage =
  | { type: 'report'; report: CryptoReport }
  /** The answer to 'wipe': every key is zeroed and dropped. */
  | { type: 'wiped'; report: CryptoReport }
  | { type: 'problem'; message: string }
  /** The answer to a 'timings' read. */
  | { type: 'timings'; samples: FrameTimingSamples }
  /** The answer to a 'record' read. */
  | { type: 'recorded'; frames: RecordedFrame[] }
  /** The answer to 'try-decrypt'. */
  | { type: 'tried'; decrypted: number; failed: number };

export function emptyReport(): CryptoReport {
  return {
    mode: 'none',
    encrypted: { audio: 0, video: 0 },
    decrypted: { audio: 0, video: 0 },
    failed: { audio: 0, video: 0 },
    unkeyed: { audio: 0, video: 0 },
    stale: { audio: 0, video: 0 },
    replayed: { audio: 0, video: 0 },
    sendGeneration: 0,
    receiveGeneration: 0,
    transforms: [],
    keysLoaded: false,
    keysWiped: false,
    senders: [],
    sendEpoch: null,
    epochsHeld: [],
  };
}

export function isTransformOptions(value: unknown): value is TransformOptions {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, direction, slot } = value as Partial<Record<keyof TransformOptions, unknown>>;
  const slotOk = slot === undefined || (typeof slot === 'string' && slot.length > 0 && slot.length <= MAX_SLOT_LENGTH);
  return (kind === 'audio' || kind === 'video') && (direction === 'send' || direction === 'receive') && slotOk;
}
