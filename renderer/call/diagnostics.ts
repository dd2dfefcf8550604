import type { CryptoReport } from '../workers/frame-crypto-messages';
import type { CallEngine } from './call-engine-types';
import type { CallEngineOptions, InspectableCallEngine } from './call-engine';
import type { TrackState } from './local-media-controls';
import type { MediaProgress } from './stats';
import type { TransformApi } from './transforms';

/**
 * Read-only facts about the current (or last) call, for support and for the e2e tests: frame
 * counts, key generations, media progress and track states. No key material is reachable here.
 */
export interface SealcallDiagnostics {
  counters(): CryptoReport & { transformApi: TransformApi | null };
  stats(): Promise<MediaProgress>;
  /** Every camera and microphone track the call opened, with its state ('ended' once stopped). */
  localTracks(): TrackState[];
  /** The engine the screens use: a test drives calls through it the way the screens do. */
  readonly engine: CallEngine;
  /** Options for the next call (a test shortens the ratchet interval or picks the legacy transform API). */
  configure(options: Pick<CallEngineOptions, 'ratchetIntervalMs' | 'preferLegacyTransforms'>): void;
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
    localTracks: () => engine.inspect().localTracks,
    engine,
    configure: (options) => {
      engine.configure({ ratchetIntervalMs: options.ratchetIntervalMs, preferLegacyTransforms: options.preferLegacyTransforms });
    },
  };
  Object.defineProperty(window, 'sealcallDiagnostics', { value: Object.freeze(diagnostics), configurable: false, writable: false });
}
