import { IpcError, type CallKeys, type CallView, type SealcallBridge } from '../../shared/ipc';
import { emptyReport, type CryptoReport } from '../workers/frame-crypto-messages';
import { emptyTimingSamples, type FrameTimingSamples } from '../workers/frame-timings';
import type { CallEngine, CallEngineState, Media, StartChoice } from './call-engine-types';
import { CallPrerequisites } from './call-prerequisites';
import { makeSpareDtlsCertificate } from './dtls-certificate';
import { makeSpareFrameCryptoWorkerWhenIdle } from './frame-crypto-client';
import { countersOf, idleState, unknownQuality } from './engine-state';
import { CallSession, type SessionSettings } from './call-session';
import { captureDisplay } from './display-capture';
import type { TrackState } from './local-media-controls';
import { MediaAccessError } from './local-media';
import { SignalBuffer } from './signal-buffer';
import { emptyProgress, type MediaProgress } from './stats';
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
/** How long a closed peer waits for the core to say the call ended before calling it lost. */
const LOST_GRACE_MS = 2000;
const MITM_WARNING =
  "The call was stopped: the connection did not come from the device that signed the call. Someone may be intercepting calls. Don't call back until you have compared safety numbers in person.";

function isLive(view: CallView | null): boolean {
  return view !== null && view.state !== 'ended';
}

function messageOf(error: unknown, fallback: string): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return fallback;
}

/**
 * The call engine: follows the core's call.changed for where the call stands, and does what
 * needs media and WebRTC. The handshake runs in the core; the caller learns its keys (initiator)
 * after the callee's accept, the callee after the caller's confirm. Each side builds its peer as
 * soon as its camera and microphone are open, and signals (the caller's offer first) once its keys
 * are here.
 */
export function createCallEngine(bridge: SealcallBridge, initialOptions: CallEngineOptions = {}): InspectableCallEngine {
  // The first call's certificate, settings and ICE servers are ready while the user looks at the contact list.
  makeSpareDtlsCertificate();
  makeSpareFrameCryptoWorkerWhenIdle();
  const prerequisites = new CallPrerequisites(bridge);
  const settings: SessionSettings & { statsIntervalMs: number } = {
    ratchetIntervalMs: TEN_MINUTES,
    statsIntervalMs: 1000,
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
  /** The current call's session; after it ends, the last one stays for inspection. */
  let session: CallSession | null = null;
  let pendingKeys: CallKeys | null = null;
  const earlySignals = new SignalBuffer();
  let statsTimer: ReturnType<typeof setInterval> | undefined;
  let disposed = false;

  const emit = () => {
    for (const listener of [...listeners]) listener(state);
  };
  const update = (patch: Partial<CallEngineState>) => {
    state = { ...state, ...patch };
    emit();
  };
  const active = (): CallSession | null => (session !== null && !session.isClosed() ? session : null);

  /** Engine state from the live session: streams, controls, counters, encryption, quality. */
  const refresh = (current: CallSession) => {
    if (current !== session) return;
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

  const stopStats = () => {
    clearInterval(statsTimer);
    statsTimer = undefined;
  };

  const end = async (ending: CallSession): Promise<void> => {
    if (ending === session) stopStats();
    await ending.close();
    refresh(ending);
    // Between calls, not during one: the browser is busy enough while a call starts.
    prerequisites.permissions.warm();
  };

  const hangUpCore = (callId: string, reason?: 'connection-lost') => {
    bridge.invoke('call.hangup', reason === undefined ? { callId } : { callId, reason }).catch(() => {
      // The call is already over in the core (ended from the far side meanwhile).
    });
  };

  const newSession = (direction: 'outgoing' | 'incoming', peerId: string, callId: string | null): CallSession => {
    const created: CallSession = new CallSession({
      direction,
      peerId,
      callId,
      settings: { ratchetIntervalMs: settings.ratchetIntervalMs, preferLegacyTransforms: settings.preferLegacyTransforms, frameTimings: settings.frameTimings },
      events: {
        signal: (data) => {
          if (created.callId === null || created.isClosed()) return;
          bridge.invoke('call.signal', { callId: created.callId, data }).catch(() => undefined);
        },
        changed: () => {
          refresh(created);
        },
        connected: (remoteSdp) => {
          void reportConnected(created, remoteSdp);
        },
        lost: () => {
          // A far-side hang-up closes the peer too, often before the core relays why: give the
          // core's word a moment to arrive, so the call ends as what it was, not "connection lost".
          setTimeout(() => {
            if (created.isClosed()) return;
            if (created.callId !== null) hangUpCore(created.callId, 'connection-lost');
            if (created === session) update({ error: `The connection to ${state.call?.peerName ?? 'the other side'} was lost.` });
            void end(created);
          }, LOST_GRACE_MS);
        },
        problem: (message) => {
          console.error(`frame crypto: ${message}`);
        },
        failed: (message) => {
          if (created.isClosed()) return;
          if (created === session) update({ error: message });
          if (created.callId !== null) hangUpCore(created.callId);
          void end(created);
        },
      },
    });
    session = created;
    pendingKeys = null;
    state = { ...idleState(), call: state.call };
    update({ error: null });
    return created;
  };

  const reportConnected = async (current: CallSession, remoteSdp: string) => {
    const callId = current.callId;
    if (callId === null || current.isClosed()) return;
    try {
      const { fingerprintOk, call } = await bridge.invoke('call.connected', { callId, remoteSdp });
      if (!fingerprintOk) {
        // The core has ended the call (mitm-detected) and told the other side.
        if (current === session) update({ error: MITM_WARNING, call });
        await end(current);
        return;
      }
    } catch {
      return;
    }
    if (current === session && statsTimer === undefined) {
      statsTimer = setInterval(() => {
        void current.sample().catch(() => undefined);
      }, settings.statsIntervalMs);
    }
  };

  const startWithKeys = (current: CallSession, keys: CallKeys) => {
    try {
      current.start(keys);
    } catch (error) {
      update({ error: messageOf(error, 'The call could not be set up.') });
      if (current.callId !== null) hangUpCore(current.callId, 'connection-lost');
      void end(current);
      return;
    }
    for (const data of earlySignals.take(keys.callId)) current.receiveSignal(data);
  };

  /** A callId learnt (from call.start's answer or the first call.changed): keys may be waiting. */
  const adoptCallId = (current: CallSession, callId: string) => {
    if (current.callId !== null) return;
    current.callId = callId;
    if (pendingKeys?.callId === callId) {
      const keys = pendingKeys;
      pendingKeys = null;
      startWithKeys(current, keys);
    }
  };

  const onView = (view: CallView) => {
    const current = active();
    if (current !== null && current.callId === null && view.direction === current.direction && view.peerId === current.peerId && view.state !== 'incoming') {
      adoptCallId(current, view.callId);
    }
    if (current !== null && current.callId !== null && current.callId !== view.callId) return;
    update({ call: view, answering: state.answering && view.state === 'incoming' });
    // Ringing: have fresh TURN credentials in hand for the answer.
    if (view.state === 'incoming') prerequisites.warm();
    if (view.state === 'ended' && current !== null) void end(current);
  };

  const unsubscribes = [
    bridge.on('call.changed', onView),
    bridge.on('call.keys', (keys) => {
      const current = active();
      if (current === null) return;
      if (current.callId === keys.callId) startWithKeys(current, keys);
      else if (current.callId === null) pendingKeys = keys;
    }),
    bridge.on('call.signal', ({ callId, data }) => {
      const current = active();
      // The session holds signals until its peer exists; before its call id is known, this buffer does.
      if (current !== null && current.callId === callId) current.receiveSignal(data);
      else earlySignals.push(callId, data);
    }),
  ];

  // A renderer that reloads mid-call has lost its peer and keys: that call cannot go on.
  bridge
    .invoke('call.current')
    .then((view) => {
      if (view === null || disposed || session !== null || state.call !== null) return;
      if (view.state === 'incoming') update({ call: view });
      else if (isLive(view)) hangUpCore(view.callId, 'connection-lost');
    })
    .catch(() => undefined);

  /** Runs prepare, then the core request; on failure, undoes the session and rethrows. */
  const placeOrAnswer = async (current: CallSession, media: Media, start: StartChoice | undefined, request: () => Promise<CallView>) => {
    try {
      await current.prepare(prerequisites, media, start);
      if (current.isClosed()) return;
      refresh(current);
      const requested = request();
      // After the request has gone out, so that its construction does not hold up the invite or the accept.
      current.openPeer();
      const view = await requested;
      if (current.isClosed()) {
        // Hung up while the core was placing the call.
        if (isLive(view)) hangUpCore(view.callId);
        return;
      }
      adoptCallId(current, view.callId);
      if (view.callId === current.callId && (state.call?.callId !== view.callId || state.call.state !== 'ended')) update({ call: view, answering: false });
    } catch (error) {
      if (current === session) update({ answering: false });
      await end(current);
      // A refusal from the core (key changed, offline…) goes back to the caller of call()/accept();
      // a camera or microphone problem is also shown in the state, as the interface promises.
      if (error instanceof MediaAccessError && current === session) update({ error: error.message });
      throw error;
    }
  };

  return {
    getState: () => state,

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async call(userId, media, options) {
      if (active() !== null) throw new IpcError('in-call', 'you are already in a call: hang up first');
      const current = newSession('outgoing', userId, null);
      update({ call: null });
      await placeOrAnswer(current, media, options?.start, () =>
        bridge.invoke('call.start', { userId, media, fingerprint: current.fingerprint, confirmKeyChange: options?.confirmKeyChange ?? false }),
      );
    },

    async accept(media, start, options) {
      const ringing = state.call;
      if (ringing?.state !== 'incoming') throw new IpcError('no-such-call', 'there is no incoming call to answer');
      if (active() !== null) throw new IpcError('in-call', 'you are already in a call: hang up first');
      const current = newSession('incoming', ringing.peerId, ringing.callId);
      update({ answering: true });
      await placeOrAnswer(current, media, start, () =>
        bridge.invoke('call.accept', { callId: ringing.callId, media, fingerprint: current.fingerprint, confirmKeyChange: options?.confirmKeyChange ?? false }),
      );
    },

    async decline() {
      const ringing = state.call;
      if (ringing?.state !== 'incoming') throw new IpcError('no-such-call', 'there is no incoming call to decline');
      update({ call: await bridge.invoke('call.decline', { callId: ringing.callId }) });
    },

    async hangup() {
      const current = active();
      if (current === null) {
        const view = state.call;
        if (view?.state === 'incoming') await bridge.invoke('call.decline', { callId: view.callId });
        else if (view !== null && isLive(view)) await bridge.invoke('call.hangup', { callId: view.callId });
        return;
      }
      // Media stops at once (the camera light goes off), and the core is told in parallel.
      const ended = end(current);
      if (current.callId !== null) {
        const view = await bridge.invoke('call.hangup', { callId: current.callId }).catch(() => null);
        if (view !== null && current === session) update({ call: view });
      }
      await ended;
    },

    setMuted(muted) {
      update({ muted });
      active()
        ?.media?.setMuted(muted)
        .catch((error: unknown) => {
          update({ error: messageOf(error, 'The microphone could not be started.') });
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
          update({ error: messageOf(error, 'The camera could not be started.'), cameraOff: true });
        });
    },

    dispose() {
      disposed = true;
      for (const unsubscribe of unsubscribes) unsubscribe();
      prerequisites.dispose();
      const current = active();
      if (current !== null) {
        if (current.callId !== null) hangUpCore(current.callId);
        void end(current);
      }
      stopStats();
      listeners.clear();
    },

    inspect() {
      const current = session;
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
