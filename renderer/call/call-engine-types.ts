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

/** The lobby's choice for one call; it wins over the startMuted / startCameraOff defaults. */
export interface StartChoice {
  muted: boolean;
  cameraOff: boolean;
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
  /** What we receive. */
  bitrateKbps: number | null;
  /** What we send. */
  sendBitrateKbps: number | null;
  /** Through the TURN relay rather than direct. */
  relayed: boolean | null;
}

export interface CallEngineState {
  /** The core's view of the call followed (null before any); see CallController. */
  call: CallView | null;
  /** A call placed here that the core has not shown yet ("Calling…"), under the id this page chose. */
  placing: { callId: string; peerId: string; media: Media } | null;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  muted: boolean;
  cameraOff: boolean;
  encryption: EncryptionState;
  counters: FrameCounters;
  quality: ConnectionQuality;
  /** A problem the user must see (camera denied, man in the middle, connection lost). */
  error: string | null;
  /** We are sending our screen instead of the camera. */
  sharing: boolean;
  /** The other side says it is sending its screen. */
  remoteSharing: boolean;
  /** The media path dropped mid-call and is being recovered (ICE restart): "Reconnecting…". */
  reconnecting: boolean;
  /**
   * The ringing call is being answered (from accept() until the core's view moves on, or the answer
   * fails), whichever way it was answered: the dialog, a shortcut, the notification. The screens
   * then show the call, no longer the ringing dialog.
   */
  answering: boolean;
}

export interface CallEngine {
  getState(): CallEngineState;
  subscribe(listener: (state: CallEngineState) => void): () => void;
  /** Places a call. Rejects with the IPC error (code 'key-changed' when the gate applies). */
  call(userId: string, media: Media, options?: { confirmKeyChange?: boolean; start?: StartChoice }): Promise<void>;
  /** Answers the ringing call. Rejects with 'key-changed' for a caller whose key changed, unless `confirmKeyChange`. */
  accept(media: Media, start?: StartChoice, options?: { confirmKeyChange?: boolean }): Promise<void>;
  decline(): Promise<void>;
  hangup(): Promise<void>;
  setMuted(muted: boolean): void;
  setCameraOff(off: boolean): void;
  /**
   * Shares the screen or window the user just picked (screen.choose) in place of the camera.
   * Call it straight from the click: getDisplayMedia needs the user's gesture.
   */
  shareScreen(): Promise<void>;
  /** Back to the camera (or to no video, if the camera is off). */
  stopScreenShare(): Promise<void>;
  dispose(): void;
}
