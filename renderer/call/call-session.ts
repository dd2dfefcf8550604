import type { CallKeys } from '../../shared/ipc';
import type { CallMediaSession, MediaSessionEvents } from './call-controller';
import type { SignalData } from '../../shared/protocol/call';
import { encodePeerMessage, parsePeerMessage } from '../../shared/protocol/peer';
import { PROTOCOL_VERSION } from '../../shared/protocol/version';
import type { CryptoReport } from '../workers/frame-crypto-messages';
import type { ConnectionQuality, Media, StartChoice } from './call-engine-types';
import type { CallPrerequisites } from './call-prerequisites';
import { DecryptHealth } from './decrypt-health';
import { takeDtlsCertificate, type DtlsCertificate } from './dtls-certificate';
import { FrameCryptoClient } from './frame-crypto-client';
import { IceRecovery } from './ice-recovery';
import { refuseIfDenied } from './local-media';
import { LocalMediaControls } from './local-media-controls';
import { openPeerSession, type PeerSession } from './peer-session';
import { ScreenShare } from './screen-share';
import { emptyProgress, qualityBetween, sampleMedia, type MediaProgress } from './stats';
import { SignalQueue } from './signal-queue';
import { chooseTransformApi, type TransformApi } from './transforms';

export interface SessionSettings {
  ratchetIntervalMs: number;
  preferLegacyTransforms: boolean;
  /** Benchmarks only: the worker times each frame's encrypt and decrypt. */
  frameTimings?: boolean;
}

export interface SessionEvents extends MediaSessionEvents {
  /** Local or remote media, counters or quality changed. */
  changed(): void;
  problem(message: string): void;
}

/**
 * Everything one call holds in the page: its DTLS certificate, camera and microphone, the
 * frame-crypto worker with the call's keys, and the peer. close() undoes all of it.
 */
export class CallSession implements CallMediaSession {
  readonly callId: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly peerId: string;
  readonly crypto: FrameCryptoClient;
  readonly health = new DecryptHealth();
  readonly transformApi: TransformApi;
  media: LocalMediaControls | null = null;
  peer: PeerSession | null = null;
  quality: ConnectionQuality | null = null;
  progress: MediaProgress = emptyProgress();
  /** The other side says it is sharing its screen (over the data channel). */
  remoteSharing = false;
  #share: ScreenShare | null = null;
  #certificate: DtlsCertificate | null = null;
  /** The camera and microphone being opened; the call is placed meanwhile (see prepare). */
  #capture: Promise<LocalMediaControls> | null = null;
  #ice: { iceServers: RTCIceServer[]; relayOnly: boolean } = { iceServers: [], relayOnly: false };
  /** Signals from the other side that came before the peer existed. */
  readonly #untilPeer = new SignalQueue();
  /** This side's signals from before the keys came: the core relays none until the handshake is done. */
  readonly #untilKeys = new SignalQueue();
  #closed: Promise<CryptoReport> | undefined;
  #keysLoaded = false;
  #connected = false;
  readonly #iceRecovery: IceRecovery;
  readonly #settings: SessionSettings;
  readonly #prerequisites: CallPrerequisites;
  readonly #events: SessionEvents;

  constructor(init: {
    direction: 'outgoing' | 'incoming';
    peerId: string;
    callId: string;
    prerequisites: CallPrerequisites;
    settings: SessionSettings;
    events: SessionEvents;
  }) {
    this.#prerequisites = init.prerequisites;
    this.direction = init.direction;
    this.peerId = init.peerId;
    this.callId = init.callId;
    this.#settings = init.settings;
    this.#events = init.events;
    // Refuses the call up front where media could not be encrypted.
    this.transformApi = chooseTransformApi(init.settings.preferLegacyTransforms);
    // Started now, so that it has loaded by the time the transforms are attached.
    this.crypto = new FrameCryptoClient(
      (report) => {
        this.health.observe(report, performance.now());
        this.#events.changed();
      },
      (message) => {
        this.#events.problem(message);
      },
    );
    if (init.settings.frameTimings === true) this.crypto.startTimings();
    this.#iceRecovery = new IceRecovery({
      restart: () => this.peer?.restartIce() ?? false,
      changed: () => {
        this.#events.changed();
      },
      giveUp: () => {
        if (!this.isClosed()) this.#events.lost('ice-recovery-timed-out');
      },
    });
  }

  /** The media path dropped and is being recovered by ICE restarts. */
  get reconnecting(): boolean {
    return this.#iceRecovery.reconnecting;
  }

  /** ICE restarts this side started during the call. */
  get iceRestarts(): number {
    return this.#iceRecovery.restarts;
  }

  /** A method, not a getter: it changes across awaits, which narrowing would not see. */
  isClosed(): boolean {
    return this.#closed !== undefined;
  }

  get keysLoaded(): boolean {
    return this.#keysLoaded;
  }

  get fingerprint(): string {
    if (this.#certificate === null) throw new Error('the call has no DTLS certificate yet');
    return this.#certificate.fingerprint;
  }

  /**
   * Certificate, camera and microphone, and ICE servers, before the core hears of the call. The
   * lobby's `start` choice is for this call only, so it wins over the settings' defaults.
   */
  async prepare(media: Media, start?: StartChoice): Promise<void> {
    const prerequisites = this.#prerequisites;
    const certificate = takeDtlsCertificate();
    const iceServers = prerequisites.iceServers();
    iceServers.catch(() => undefined);
    const settings = await prerequisites.settings();
    const cameraOff = start?.cameraOff ?? settings.startCameraOff;
    const muted = start?.muted ?? settings.startMuted;
    const want = { audio: media.audio, video: media.video && !cameraOff };
    // Checked alongside the capture, but before anyone is rung.
    const denied = refuseIfDenied(want, prerequisites.permissions);
    denied.catch(() => undefined);
    // Only the certificate's fingerprint goes into the invite or the accept: the camera and
    // microphone open while the call is placed, and the peer waits for them (openPeer). That
    // takes a capture (15–30 ms) off each side's part of call set-up.
    let prepared = false;
    let earlyFailure: Error | undefined;
    const capture = LocalMediaControls.open(want, settings, muted, () => {
      this.#events.changed();
    }).then((local) => {
      // Hung up while the camera was starting: its light must not stay on.
      if (this.isClosed()) local.stopAll();
      else {
        this.media = local;
        this.#events.changed();
      }
      return local;
    });
    capture.catch((error: unknown) => {
      if (!prepared) earlyFailure = error instanceof Error ? error : new Error('Your camera or microphone could not be started.');
      else if (!this.isClosed()) this.#events.failed(error instanceof Error ? error.message : 'Your camera or microphone could not be started.');
    });
    this.#capture = capture;
    const [made, ice] = await Promise.all([certificate, iceServers, denied]);
    // A capture that failed already: nobody has been rung yet.
    if (earlyFailure !== undefined) throw earlyFailure;
    prepared = true;
    this.#certificate = made;
    this.#ice = ice;
  }

  /**
   * Builds the peer once prepared, right after the invite or the accept has gone out, as soon as
   * the camera and microphone are open: before the handshake has finished, with every transform
   * attached. So the caller's offer and both sides' ICE candidates are made while the other side is
   * still answering; they are held until the keys are here (start). The core relays no signal
   * before then, no frame can flow before the answer, and a frame the worker sees without keys is
   * dropped. Built at the keys instead, the peer's construction and the offer (20–35 ms on a
   * loaded machine) sat on call set-up. It waits for the capture rather than starting with
   * placeholder tracks: a placeholder microphone (an AudioContext) opened while the real one is
   * starting slowed both sides' capture down by tens of milliseconds.
   */
  openPeer(): void {
    this.#capture?.then(
      (local) => {
        if (this.isClosed() || this.peer !== null) return;
        try {
          this.#openPeer(local);
        } catch (error) {
          this.#events.failed(error instanceof Error ? error.message : 'The call could not be set up.');
        }
      },
      // Reported by prepare's handler.
      () => undefined,
    );
  }

  /**
   * The keys are here: into the worker at once, then out goes what the peer has said so far (the
   * caller's offer and candidates), which was held until now.
   */
  start(keys: CallKeys): void {
    if (this.isClosed() || this.#keysLoaded || this.#certificate === null || this.#capture === null) return;
    if (keys.initiator !== this.#initiator) throw new Error('the call keys name the wrong side as the one that offers');
    this.crypto.loadKeys(keys, this.#settings.ratchetIntervalMs);
    this.#keysLoaded = true;
    for (const data of this.#untilKeys.take()) this.#events.signal(data);
  }

  /** The caller offers; the callee answers (the core hands out keys with the same roles). */
  get #initiator(): boolean {
    return this.direction === 'outgoing';
  }

  #openPeer(media: LocalMediaControls): void {
    if (this.#certificate === null || this.isClosed()) return;
    this.peer = openPeerSession({
      initiator: this.#initiator,
      certificate: this.#certificate.certificate,
      iceServers: this.#ice.iceServers,
      relayOnly: this.#ice.relayOnly,
      captured: media.captured,
      crypto: this.crypto,
      transformApi: this.transformApi,
      onSignal: (data) => {
        if (this.#keysLoaded) this.#events.signal(data);
        else this.#untilKeys.push(data);
      },
      onConnect: () => {
        const sdp = this.peer?.pc.remoteDescription?.sdp;
        if (this.#connected || sdp === undefined) return;
        this.#connected = true;
        this.#events.connected(sdp);
      },
      onData: (raw) => {
        const message = parsePeerMessage(raw);
        if (message?.type !== 'screen-share' || this.isClosed()) return;
        this.remoteSharing = message.sharing;
        this.#events.changed();
      },
      onLost: (reason) => {
        if (!this.isClosed()) this.#events.lost(reason);
      },
      onIceState: (state) => {
        if (this.isClosed()) return;
        // Before the call first connects there is nothing to recover: a failure there means the
        // two sides cannot reach each other at all.
        if (!this.#connected) {
          if (state === 'failed') this.#events.lost('ice-failed');
          return;
        }
        this.#iceRecovery.observe(state);
      },
    });
    media.bindSenders(this.peer.senders);
    for (const data of this.#untilPeer.take()) this.peer.signal(data);
    this.#events.changed();
  }

  get sharing(): boolean {
    return this.#share?.sharing ?? false;
  }

  shareCaptureState(): MediaStreamTrackState | null {
    return this.#share?.captureState() ?? null;
  }

  /** What the video sender carries: the screen, the camera, or nothing. */
  videoSource(): 'screen' | 'camera' | 'none' {
    if (this.#share !== null) return this.#share.videoSource();
    return (this.peer?.senders.video.track ?? null) === null ? 'none' : 'camera';
  }

  /**
   * Sends `track` (from getDisplayMedia) in place of the camera, and tells the other side. Only
   * once the connection is up, so the data channel can carry the news.
   */
  async startScreenShare(track: MediaStreamTrack): Promise<void> {
    const peer = this.peer;
    if (this.isClosed() || peer === null || this.media === null || !this.#connected) {
      track.stop();
      throw new Error('You can share your screen once the call has connected.');
    }
    this.#share ??= new ScreenShare(peer.senders, this.media, (sharing) => {
      peer.send(encodePeerMessage({ v: PROTOCOL_VERSION, type: 'screen-share', sharing }));
      this.#events.changed();
    });
    await this.#share.start(track);
  }

  async stopScreenShare(): Promise<void> {
    await this.#share?.stop();
  }

  receiveSignal(data: SignalData): void {
    if (this.isClosed()) return;
    if (this.peer === null) this.#untilPeer.push(data);
    else this.peer.signal(data);
  }

  /** One getStats sample, and the quality since the previous one. */
  async sample(): Promise<void> {
    const pc = this.peer?.pc;
    if (pc === undefined || this.isClosed()) return;
    const progress = await sampleMedia(pc);
    this.quality = qualityBetween(this.progress.at > 0 ? this.progress : undefined, progress);
    this.progress = progress;
    this.#events.changed();
  }

  /**
   * Stops every track (the camera light goes off), closes the peer, and has the worker zero its
   * keys before it is terminated. Safe to call more than once; resolves with the final counts.
   */
  close(): Promise<CryptoReport> {
    this.#closed ??= (async () => {
      this.#iceRecovery.dispose();
      this.media?.stopAll();
      this.#share?.dispose();
      this.peer?.destroy();
      this.#untilPeer.clear();
      this.#untilKeys.clear();
      const report = await this.crypto.wipe();
      this.#events.changed();
      return report;
    })();
    return this.#closed;
  }
}
