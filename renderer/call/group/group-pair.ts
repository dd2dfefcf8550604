import type { SignalData } from '../../../shared/protocol/call';
import { encodePeerMessage, parsePeerMessage, type PeerMessage } from '../../../shared/protocol/peer';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version';
import type { FrameCryptoClient } from '../frame-crypto-client';
import { IceRecovery } from '../ice-recovery';
import { openPeerSession, type PeerSession } from '../peer-session';
import type { TransformApi } from '../transforms';
import { sdpSessionId } from './sdp-session';

/** What a member says about their own microphone, camera and screen share. */
export interface MemberMediaState {
  muted: boolean;
  cameraOff: boolean;
  sharing: boolean;
}

export interface GroupPairInit {
  userId: string;
  /** Of the two, the member with the lower user id offers. */
  initiator: boolean;
  certificate: RTCCertificate;
  iceServers: RTCIceServer[];
  relayOnly: boolean;
  captured: MediaStream;
  crypto: FrameCryptoClient;
  transformApi: TransformApi;
  events: {
    signal(data: SignalData): void;
    /** Connected, ICE state, or the member's media state changed. */
    changed(): void;
    /** The member's media state, as they told it. */
    state(state: MemberMediaState): void;
    /** The pair is gone for good (closed by the far side, or ICE could not be restored). */
    lost(reason: string): void;
  };
}

/**
 * One pair of the mesh: this device and one other member, over their own simple-peer with every
 * frame transform attached before any SDP (openPeerSession, as in a 1:1 call), the call's one DTLS
 * certificate, and their own ICE recovery. Its data channel carries each side's media state.
 */
export class GroupPair {
  readonly userId: string;
  readonly initiator: boolean;
  readonly peer: PeerSession;
  /** What the member last said about their media; all off until they say. */
  remote: MemberMediaState = { muted: false, cameraOff: false, sharing: false };
  #connected = false;
  #closed = false;
  readonly #recovery: IceRecovery;
  readonly #events: GroupPairInit['events'];
  /** Our state as last sent, sent again once the channel opens. */
  #own: MemberMediaState | null = null;
  /** The session id of the member's peer connection, from the last SDP it sent this pair. */
  #remoteSession: string | null = null;

  constructor(init: GroupPairInit) {
    this.userId = init.userId;
    this.initiator = init.initiator;
    this.#events = init.events;
    this.#recovery = new IceRecovery({
      restart: () => this.peer.restartIce(),
      changed: () => {
        this.#events.changed();
      },
      giveUp: () => {
        this.#lose('ice-recovery-timed-out');
      },
    });
    this.peer = openPeerSession({
      initiator: init.initiator,
      certificate: init.certificate,
      iceServers: init.iceServers,
      relayOnly: init.relayOnly,
      captured: init.captured,
      crypto: init.crypto,
      transformApi: init.transformApi,
      onSignal: (data) => {
        if (!this.#closed) this.#events.signal(data);
      },
      onConnect: () => {
        if (this.#closed || this.#connected) return;
        this.#connected = true;
        if (this.#own !== null) this.#send(this.#own);
        this.#events.changed();
      },
      onData: (raw) => {
        this.#receive(parsePeerMessage(raw));
      },
      onLost: (reason) => {
        this.#lose(reason);
      },
      onIceState: (state) => {
        if (this.#closed) return;
        // Before the pair first connects there is nothing to recover: the two cannot reach each other.
        if (!this.#connected) {
          if (state === 'failed') this.#lose('ice-failed');
        } else this.#recovery.observe(state);
        this.#events.changed();
      },
    });
  }

  get connected(): boolean {
    return this.#connected && !this.#closed;
  }

  get reconnecting(): boolean {
    return this.#recovery.reconnecting;
  }

  get iceRestarts(): number {
    return this.#recovery.restarts;
  }

  get iceState(): RTCIceConnectionState {
    return this.peer.pc.iceConnectionState;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  /** The member's microphone level (0 to 1) as its receiver last heard it; 0 when silent or unknown. */
  audioLevel(): number {
    const receiver = this.peer.pc.getReceivers().find((candidate) => candidate.track.kind === 'audio');
    const level = receiver?.getSynchronizationSources()[0]?.audioLevel;
    return typeof level === 'number' && Number.isFinite(level) ? level : 0;
  }

  /** The session id of the member's peer connection this pair talks to; null before its first SDP. */
  get remoteSession(): string | null {
    return this.#remoteSession;
  }

  signal(data: SignalData): void {
    if (this.#closed) return;
    if ('sdp' in data) this.#remoteSession = sdpSessionId(data.sdp) ?? this.#remoteSession;
    this.peer.signal(data);
  }

  /** Tells the member our media state (now if the channel is open, else once it is). */
  tell(state: MemberMediaState): void {
    this.#own = { ...state };
    if (this.#connected) this.#send(state);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#recovery.dispose();
    this.peer.destroy();
  }

  #send(state: MemberMediaState): void {
    this.peer.send(encodePeerMessage({ v: PROTOCOL_VERSION, type: 'member-state', ...state }));
  }

  #receive(message: PeerMessage | null): void {
    // Anything else, or malformed, is ignored: the member's state stays as last told.
    if (this.#closed || message?.type !== 'member-state') return;
    this.remote = { muted: message.muted, cameraOff: message.cameraOff, sharing: message.sharing };
    this.#events.state(this.remote);
    this.#events.changed();
  }

  #lose(reason: string): void {
    if (this.#closed) return;
    this.close();
    this.#events.lost(reason);
  }
}
