import type { CryptoReport } from '../workers/frame-crypto-messages';
import type { FrameTimingSamples } from '../workers/frame-timings';
import type { CallEngine } from './call-engine-types';
import type { CallEngineOptions, InspectableCallEngine } from './call-engine';
import type { TrackState } from './local-media-controls';
import type { MediaProgress } from './stats';
import type { TransformApi } from './transforms';
import type { VideoSizes } from './video-sizes';

/**
 * Read-only facts about the current (or last) call, for support and for the e2e tests: frame
 * counts, key generations, media progress and track states. No key material is reachable here.
 */
export interface SealcallDiagnostics {
  counters(): CryptoReport & { transformApi: TransformApi | null };
  stats(): Promise<MediaProgress>;
  /** Every camera and microphone track the call opened, with its state ('ended' once stopped). */
  localTracks(): TrackState[];
  /** What the video sender carries (a screen share or the camera), and the frame sizes both ways. */
  video(): Promise<{ source: 'screen' | 'camera' | 'none'; shareCapture: MediaStreamTrackState | null } & VideoSizes>;
  /** ICE restarts this side started in the call, and ICE's state now (network-drop tests). */
  ice(): { restarts: number; state: RTCIceConnectionState | null };
  /** The engine the screens use: a test drives calls through it the way the screens do. */
  readonly engine: CallEngine;
  /**
   * Options for the next call (a test shortens the ratchet interval or picks the legacy transform
   * API; a benchmark has the worker time each frame, or spaces stats sampling out to price it).
   */
  configure(options: Pick<CallEngineOptions, 'ratchetIntervalMs' | 'preferLegacyTransforms' | 'frameTimings' | 'statsIntervalMs'>): void;
  /** Per-frame encrypt and decrypt costs (µs) of the current or last call, if `frameTimings` was configured. */
  frameTimings(): Promise<FrameTimingSamples>;
}

declare global {
  interface Window {
    sealcallDiagnostics?: SealcallDiagnostics;
  }
}

export function installDiagnostics(engine: InspectableCallEngine): void {
  const diagnostics: SealcallDiagnostics = {
    counters: () => {
      const { crypto, transformApi } = engine.inspect();
      return { ...structuredClone(crypto), transformApi };
    },
    stats: () => engine.inspect().progress(),
    frameTimings: () => engine.inspect().frameTimings(),
    localTracks: () => engine.inspect().localTracks,
    ice: () => engine.inspect().ice,
    video: async () => {
      const inspection = engine.inspect();
      return { source: inspection.videoSource, shareCapture: inspection.shareCapture, ...(await inspection.videoSizes()) };
    },
    engine,
    configure: (options) => {
      engine.configure({
        ratchetIntervalMs: options.ratchetIntervalMs,
        preferLegacyTransforms: options.preferLegacyTransforms,
        frameTimings: options.frameTimings,
        statsIntervalMs: options.statsIntervalMs,
      });
    },
  };
  Object.defineProperty(window, 'sealcallDiagnostics', { value: Object.freeze(diagnostics), configurable: false, writable: false });
}
