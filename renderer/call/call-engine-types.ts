import type { CallView } from '../../shared/ipc';

/*
 * The seam between the call engine (WebRTC, simple-peer, the frame-crypto worker) and the screens.
 * The screens render from CallEngineState and call the engine's methods; they never touch
 * RTCPeerConnection or keys.
 */

export interface Media {
  audio: boolean;
  video: boolean;
}

/** Per-kind frame counters from the frame-crypto worker: the proof that the transforms run. */
export interface FrameCounters {
  encrypted: { audio: number; video: number };
  decrypted: { audio: number; video: number };
  /** Frames dropped because they did not authenticate (wrong key, unknown generation, tampering). */
  failed: { audio: number; video: number };
}

export type EncryptionState =
  /** No call, or the handshake is not finished. */
  | 'idle'
  /** Keys are in the worker; frames flow both ways and authenticate. */
  | 'encrypted'
  /** Frames arrive but keep failing to decrypt: shown to the user as "can't decrypt". */
  | 'cant-decrypt';

export interface ConnectionQuality {
  level: 'good' | 'fair' | 'poor' | 'unknown';
  roundTripMs: number | null;
  packetLossPercent: number | null;
  bitrateKbps: number | null;
  /** Through the TURN relay rather than direct. */
  relayed: boolean | null;
}

export interface CallEngineState {
  /** The core's view of the call (null when idle). */
  call: CallView | null;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  muted: boolean;
  cameraOff: boolean;
  encryption: EncryptionState;
  counters: FrameCounters;
  quality: ConnectionQuality;
  /** A problem the user must see (camera denied, man in the middle, connection lost). */
  error: string | null;
}

export interface CallEngine {
  getState(): CallEngineState;
  subscribe(listener: (state: CallEngineState) => void): () => void;
  /** Places a call. Rejects with the IPC error (code 'key-changed' when the gate applies). */
  call(userId: string, media: Media, options?: { confirmKeyChange?: boolean }): Promise<void>;
  accept(media: Media): Promise<void>;
  decline(): Promise<void>;
  hangup(): Promise<void>;
  setMuted(muted: boolean): void;
  setCameraOff(off: boolean): void;
  dispose(): void;
}
