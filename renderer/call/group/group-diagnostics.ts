import type { GroupView } from '../../../shared/ipc';
import type { CryptoReport, SenderReport } from '../../workers/frame-crypto-messages';
import type { TrackState } from '../local-media-controls';
import type { TransformApi } from '../transforms';
import type { GroupCallEngine } from './group-engine-types';

/**
 * Read-only facts about the current (or last) group call, for support and for the e2e tests: the
 * view, each pair's connection, the worker's per-sender counts and each pair's receivers. No key
 * material is reachable here.
 */

/** One sender's frames as the worker counts them: `{index, userId, decrypted, failed}`. */
export type GroupSenderCounts = SenderReport;

/** The worker's report, with its per-sender counts in `senders` (empty before the first keys). */
export type GroupCryptoReport = CryptoReport;

export interface GroupPeerState {
  userId: string;
  /** The pair's peer connection is up and its fingerprint checked. */
  connected: boolean;
  /** The pair's ICE state; null before its peer exists. */
  iceState: RTCIceConnectionState | null;
}

export interface GroupDiagnosticsState {
  view: GroupView | null;
  /** One entry per other member the mesh has a pair for. */
  peers: GroupPeerState[];
  /** Every camera and microphone track the call opened ('ended' once stopped). */
  localTracks: TrackState[];
}

/** What one pair's receivers have played out, from getStats. */
export interface GroupMemberStats {
  userId: string;
  framesDecoded: number;
  totalSamplesReceived: number;
}

export interface GroupEngineOptions {
  /** The legacy createEncodedStreams path rather than RTCRtpScriptTransform. */
  preferLegacyTransforms?: boolean;
}

export interface SealcallGroupDiagnostics {
  /** The engine the screens use: a test drives group calls through it the way the screens do. */
  readonly engine: GroupCallEngine;
  state(): GroupDiagnosticsState;
  counters(): GroupCryptoReport & { transformApi: TransformApi | null };
  stats(): Promise<GroupMemberStats[]>;
  /** Options for the next group call. */
  configure(options: GroupEngineOptions): void;
}

/** What the engine gives the diagnostics beyond its public face. */
export interface GroupEngineInspection {
  view: GroupView | null;
  peers: GroupPeerState[];
  localTracks: TrackState[];
  crypto: GroupCryptoReport;
  transformApi: TransformApi | null;
  stats(): Promise<GroupMemberStats[]>;
}

export interface InspectableGroupEngine extends GroupCallEngine {
  inspect(): GroupEngineInspection;
  configure(options: GroupEngineOptions): void;
}

declare global {
  interface Window {
    sealcallGroupDiagnostics?: SealcallGroupDiagnostics;
  }
}

export function installGroupDiagnostics(engine: InspectableGroupEngine): void {
  const diagnostics: SealcallGroupDiagnostics = {
    engine,
    state: () => {
      const { view, peers, localTracks } = engine.inspect();
      return structuredClone({ view, peers, localTracks });
    },
    counters: () => {
      const { crypto, transformApi } = engine.inspect();
      return { ...structuredClone(crypto), transformApi };
    },
    stats: () => engine.inspect().stats(),
    configure: (options) => {
      engine.configure({ preferLegacyTransforms: options.preferLegacyTransforms });
    },
  };
  Object.defineProperty(window, 'sealcallGroupDiagnostics', { value: Object.freeze(diagnostics), configurable: false, writable: false });
}
