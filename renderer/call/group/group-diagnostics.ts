import { fromBase64Url, toBase64Url } from '../../../shared/crypto/bytes';
import type { GroupView } from '../../../shared/ipc';
import type { CryptoReport, RecordedFrame, SenderReport } from '../../workers/frame-crypto-messages';
import type { FrameCryptoClient } from '../frame-crypto-client';
import type { TrackState } from '../local-media-controls';
import type { LayerWanted } from '../sfu/layer-choice';
import type { TransformApi } from '../transforms';
import type { FrameSize } from '../video-sizes';
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
  /** ICE restarts this side started on the pair (the offering side restarts; a reopened pair counts from 0). */
  iceRestarts: number;
}

export interface GroupDiagnosticsState {
  view: GroupView | null;
  /** What carries the media now: the mesh's pairs, or the SFU (once it decodes everyone the pairs carried). */
  transport: 'mesh' | 'sfu' | null;
  /** When the SFU session opened and the pairs closed (performance.now() ms), null until they have. */
  switchTimes: { sfuOpened: number | null; pairsClosed: number | null } | null;
  /** One entry per other member the mesh has a pair for. */
  peers: GroupPeerState[];
  /** Every camera and microphone track the call opened ('ended' once stopped). */
  localTracks: TrackState[];
  /** Over the SFU: the simulcast layer (or pause) Janus agreed to send of each member's video. */
  sfuLayers: { userId: string; layer: LayerWanted }[];
}

/** What one pair's receivers have played out, from getStats. */
export interface GroupMemberStats {
  userId: string;
  framesDecoded: number;
  totalSamplesReceived: number;
  /** The size of the last video frame decoded from them: a screen share shows as 1080p. Null before any. */
  received: FrameSize | null;
}

export interface GroupEngineOptions {
  /** The legacy createEncodedStreams path rather than RTCRtpScriptTransform. */
  preferLegacyTransforms?: boolean;
  /** E2e tests only: leaving keeps the call's worker with its last keys, for `frames.tryDecrypt`. */
  keepWorkerAfterLeave?: boolean;
}

/**
 * E2e tests only: the current (or last, if kept) call's worker records received frames as they
 * arrived and tries recorded frames against the keys it holds now. Frames carry their bytes in
 * URL-safe base64 so that they cross page.evaluate; they are ciphertext, never keys.
 */
export interface GroupFrameProbe {
  record(count: number): void;
  recorded(): Promise<ProbeFrame[]>;
  tryDecrypt(frames: ProbeFrame[]): Promise<{ decrypted: number; failed: number }>;
  /** Wipes and ends a worker kept after leaving. */
  release(): Promise<void>;
}

export interface ProbeFrame {
  kind: RecordedFrame['kind'];
  kid: number | null;
  bytes: string;
}

export interface SealcallGroupDiagnostics {
  /** The engine the screens use: a test drives group calls through it the way the screens do. */
  readonly engine: GroupCallEngine;
  state(): GroupDiagnosticsState;
  counters(): GroupCryptoReport & { transformApi: TransformApi | null };
  stats(): Promise<GroupMemberStats[]>;
  /** Options for the next group call. */
  configure(options: GroupEngineOptions): void;
  readonly frames: GroupFrameProbe;
}

/** What the engine gives the diagnostics beyond its public face. */
export interface GroupEngineInspection {
  view: GroupView | null;
  transport: 'mesh' | 'sfu' | null;
  switchTimes: { sfuOpened: number | null; pairsClosed: number | null } | null;
  peers: GroupPeerState[];
  localTracks: TrackState[];
  sfuLayers: { userId: string; layer: LayerWanted }[];
  crypto: GroupCryptoReport;
  transformApi: TransformApi | null;
  stats(): Promise<GroupMemberStats[]>;
  /** The call's frame-crypto worker (kept after leaving only when configured so). */
  worker: FrameCryptoClient | null;
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
      const { view, transport, switchTimes, peers, localTracks, sfuLayers } = engine.inspect();
      return structuredClone({ view, transport, switchTimes, peers, localTracks, sfuLayers });
    },
    counters: () => {
      const { crypto, transformApi } = engine.inspect();
      return { ...structuredClone(crypto), transformApi };
    },
    stats: () => engine.inspect().stats(),
    configure: (options) => {
      engine.configure({ preferLegacyTransforms: options.preferLegacyTransforms, keepWorkerAfterLeave: options.keepWorkerAfterLeave });
    },
    frames: {
      record: (count) => engine.inspect().worker?.recordReceived(count),
      recorded: async () => (await (engine.inspect().worker?.readRecorded() ?? Promise.resolve([]))).map((frame) => ({ kind: frame.kind, kid: frame.kid, bytes: toBase64Url(frame.bytes) })),
      tryDecrypt: (frames) => {
        const worker = engine.inspect().worker;
        if (worker === null) return Promise.reject(new Error('there is no group call worker to try frames with'));
        return worker.tryDecrypt(frames.map((frame) => ({ kind: frame.kind, kid: frame.kid, bytes: fromBase64Url(frame.bytes) })));
      },
      release: async () => {
        await engine.inspect().worker?.wipe();
      },
    },
  };
  Object.defineProperty(window, 'sealcallGroupDiagnostics', { value: Object.freeze(diagnostics), configurable: false, writable: false });
}
