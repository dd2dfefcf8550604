import type { SealcallBridge } from '../../shared/ipc';
import { emptyReport, type CryptoReport } from '../workers/frame-crypto-messages';
import { emptyTimingSamples, type FrameTimingSamples } from '../workers/frame-timings';
import { CallController } from './call-controller';
import type { CallEngine, CallEngineState } from './call-engine-types';
import { CallPrerequisites } from './call-prerequisites';
import { makeSpareDtlsCertificate } from './dtls-certificate';
import { makeSpareFrameCryptoWorkerWhenIdle } from './frame-crypto-client';
import { countersOf, idleState, unknownQuality } from './engine-state';
import { CallSession, type SessionSettings } from './call-session';
import { captureDisplay } from './display-capture';
import type { TrackState } from './local-media-controls';
import { APP_STATS_INTERVAL_MS, emptyProgress, type MediaProgress } from './stats';
import type { TransformApi } from './transforms';
import { sampleVideoSizes, type VideoSizes } from './video-sizes';

export interface CallEngineOptions {
  /** How often the sender ratchets to a new key generation (docs/threat-model.md: 10 minutes). */
  ratchetIntervalMs?: number;
  /** How often getStats is sampled for the quality indicator. */
  statsIntervalMs?: number;
  /** Use createEncodedStreams even where RTCRtpScriptTransform exists (tests of the fallback). */
  preferLegacyTransforms?: boolean;
  /** Benchmarks only: the worker times each frame's encrypt and decrypt (bench/worker-crypto.bench.ts). */
  frameTimings?: boolean;
}

/** What support and the e2e tests may read: counts, generations and media progress, never a key. */
export interface EngineInspection {
  crypto: CryptoReport;
  transformApi: TransformApi | null;
  progress(): Promise<MediaProgress>;
  /** Per-frame crypto costs in the worker, when `frameTimings` was configured for this call. */
  frameTimings(): Promise<FrameTimingSamples>;
  /** What the video sender carries: a screen share, the camera, or nothing. */
  videoSource: 'screen' | 'camera' | 'none';
  /** The latest screen capture's state ('ended' once the share or the call stops); null if none. */
  shareCapture: MediaStreamTrackState | null;
  /** Frame sizes sent and decoded: a share differs from the camera. */
  videoSizes(): Promise<VideoSizes>;
  localTracks: TrackState[];
  /** ICE restarts this side started during the call, and the ICE state now. */
  ice: { restarts: number; state: RTCIceConnectionState | null };
}

export interface InspectableCallEngine extends CallEngine {
  inspect(): EngineInspection;
  /** Options for the calls placed or answered from now on. */
  configure(options: CallEngineOptions): void;
}

const TEN_MINUTES = 10 * 60 * 1000;
/** A ratchet faster than this buys nothing and costs key derivations. */
const MIN_RATCHET_MS = 1000;
function messageOf(error: unknown, fallback: string): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return fallback;
}

/**
 * The call engine: the CallController (which call, in what order, when a session opens and closes)
 * wired to the real media session (CallSession: camera, WebRTC, the frame-crypto worker), plus what
 * only media has: its state for the screens, stats, mute and camera, screen sharing. The handshake
 * runs in the core; the caller learns its keys (initiator) after the callee's accept, the callee
 * after the caller's confirm. Each side builds its peer as soon as its camera and microphone are
 * open, and signals (the caller's offer first) once its keys are here.
 */
export function createCallEngine(bridge: SealcallBridge, initialOptions: CallEngineOptions = {}): InspectableCallEngine {
  // The first call's certificate, settings and ICE servers are ready while the user looks at the contact list.
  makeSpareDtlsCertificate();
  makeSpareFrameCryptoWorkerWhenIdle();
  const prerequisites = new CallPrerequisites(bridge);
  const settings: SessionSettings & { statsIntervalMs: number } = {
    ratchetIntervalMs: TEN_MINUTES,
    statsIntervalMs: APP_STATS_INTERVAL_MS,
    preferLegacyTransforms: false,
    frameTimings: false,
  };
  const configure = (options: CallEngineOptions) => {
    if (options.ratchetIntervalMs !== undefined) settings.ratchetIntervalMs = Math.max(MIN_RATCHET_MS, options.ratchetIntervalMs);
    if (options.statsIntervalMs !== undefined) settings.statsIntervalMs = Math.max(250, options.statsIntervalMs);
    if (options.preferLegacyTransforms !== undefined) settings.preferLegacyTransforms = options.preferLegacyTransforms;
    if (options.frameTimings !== undefined) settings.frameTimings = options.frameTimings;
  };
  configure(initialOptions);

  let state = idleState();
  const listeners = new Set<(state: CallEngineState) => void>();
  let statsTimer: ReturnType<typeof setInterval> | undefined;

  const emit = () => {
    for (const listener of [...listeners]) listener(state);
  };
  const update = (patch: Partial<CallEngineState>) => {
    state = { ...state, ...patch };
    emit();
  };
  const stopStats = () => {
    clearInterval(statsTimer);
    statsTimer = undefined;
  };

  /** Engine state from the live session: streams, controls, counters, encryption, quality. */
  const refresh = (current: CallSession) => {
    if (current !== controller.session) return;
    const report = current.crypto.report;
    const live = !current.isClosed();
    const encryption = live && current.keysLoaded && report.keysLoaded && !report.keysWiped ? (current.health.failing() ? 'cant-decrypt' : 'encrypted') : 'idle';
    const patch: Partial<CallEngineState> = {
      localStream: live ? (current.media?.stream ?? null) : null,
      remoteStream: live ? (current.peer?.remoteStream ?? null) : null,
      muted: current.media?.muted ?? state.muted,
      cameraOff: current.media?.cameraOff ?? state.cameraOff,
      encryption,
      counters: countersOf(report),
      quality: live ? (current.quality ?? unknownQuality()) : unknownQuality(),
      sharing: live && current.sharing,
      remoteSharing: live && current.remoteSharing,
      reconnecting: live && current.reconnecting,
    };
    // The worker reports its frame counters twice a second and no screen shows them: a report
    // that changes nothing else updates the state without re-rendering the call screen.
    const shown = (Object.keys(patch) as (keyof CallEngineState)[]).some((key) => key !== 'counters' && !Object.is(patch[key], state[key]));
    if (shown) update(patch);
    else state = { ...state, ...patch };
  };

  const controller: CallController<CallSession> = new CallController<CallSession>({
    bridge,
    openSession: (init, events) => {
      const created: CallSession = new CallSession({
        ...init,
        prerequisites,
        settings: { ratchetIntervalMs: settings.ratchetIntervalMs, preferLegacyTransforms: settings.preferLegacyTransforms, frameTimings: settings.frameTimings },
        events: {
          ...events,
          changed: () => {
            refresh(created);
          },
          problem: (message) => {
            console.error(`frame crypto: ${message}`);
          },
        },
      });
      // A new call starts from idle media; the controller's part follows in its own update.
      state = { ...idleState(), call: state.call, placing: state.placing, answering: state.answering };
      return created;
    },
    changed: (call) => {
      update({ ...call });
    },
    connected: (current) => {
      if (current === controller.session && statsTimer === undefined) {
        statsTimer = setInterval(() => {
          void current.sample().catch(() => undefined);
        }, settings.statsIntervalMs);
      }
    },
    closed: (ended) => {
      if (ended === controller.session) stopStats();
      refresh(ended);
      // Between calls, not during one: the browser is busy enough while a call starts.
      prerequisites.permissions.warm();
    },
    ringing: () => {
      // Ringing: have fresh TURN credentials in hand for the answer.
      prerequisites.warm();
    },
  });
  const active = (): CallSession | null => controller.liveSession();

  return {
    getState: () => state,

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async call(userId, media, options) {
      await controller.call(userId, media, options);
    },

    async accept(media, start, options) {
      await controller.accept(media, start, options);
    },

    decline: () => controller.decline(),

    hangup: () => controller.hangup(),

    setMuted(muted) {
      update({ muted });
      active()
        ?.media?.setMuted(muted)
        .catch((error: unknown) => {
          controller.showError(messageOf(error, 'The microphone could not be started.'));
        });
    },

    async shareScreen() {
      const current = active();
      if (current === null) throw new Error('There is no call to share your screen in.');
      const track = await captureDisplay();
      if (current !== active()) {
        // Hung up while the capture was starting: the OS's sharing indicator must not stay on.
        track.stop();
        return;
      }
      await current.startScreenShare(track);
    },

    async stopScreenShare() {
      await active()?.stopScreenShare();
    },

    setCameraOff(off) {
      update({ cameraOff: off });
      active()
        ?.media?.setCameraOff(off)
        .catch((error: unknown) => {
          update({ cameraOff: true });
          controller.showError(messageOf(error, 'The camera could not be started.'));
        });
    },

    dispose() {
      controller.dispose();
      prerequisites.dispose();
      stopStats();
      listeners.clear();
    },

    inspect() {
      const current = controller.session;
      return {
        crypto: current?.crypto.report ?? emptyReport(),
        transformApi: current?.transformApi ?? null,
        localTracks: current?.media?.trackStates() ?? [],
        ice: { restarts: current?.iceRestarts ?? 0, state: current?.peer?.pc.iceConnectionState ?? null },
        frameTimings: () => current?.crypto.readTimings() ?? Promise.resolve(emptyTimingSamples()),
        videoSource: current?.videoSource() ?? 'none',
        shareCapture: current?.shareCaptureState() ?? null,
        videoSizes: async () => {
          const pc = current?.peer?.pc;
          return pc === undefined || current?.isClosed() !== false ? { sent: null, received: null } : sampleVideoSizes(pc);
        },
        progress: async () => {
          if (current === null) return emptyProgress();
          if (!current.isClosed()) await current.sample().catch(() => undefined);
          return current.progress;
        },
      };
    },

    configure,
  };
}
