import type { SignalData } from '../../shared/protocol/call';
import type { MediaKind } from '../workers/frame-crypto-messages';
import { preferEncryptableCodecs } from './codec-preferences';
import type { FrameCryptoClient } from './frame-crypto-client';
import { placeholderTrack, type PlaceholderTrack } from './placeholder-tracks';
import { SimplePeer } from './simple-peer-loader';
import { toWireSignal } from '../../shared/protocol/call-codec';
import { attachFrameTransforms, type TransformApi } from './transforms';

export interface PeerSessionOptions {
  initiator: boolean;
  certificate: RTCCertificate;
  iceServers: RTCIceServer[];
  relayOnly: boolean;
  /** The captured tracks; a kind missing here gets a transceiver all the same. */
  captured: MediaStream;
  crypto: FrameCryptoClient;
  transformApi: TransformApi;
  onSignal(data: SignalData): void;
  onConnect(): void;
  /** The connection failed or closed before the call ended. */
  onLost(reason: string): void;
  /** A data-channel message from the other app, unparsed: the receiver validates it. */
  onData?(raw: unknown): void;
  /** ICE connectivity changed; 'failed' no longer ends the call by itself (see restartIce). */
  onIceState?(state: RTCIceConnectionState): void;
}

export interface PeerSession {
  readonly pc: RTCPeerConnection;
  readonly senders: Record<MediaKind, RTCRtpSender>;
  /** The other side's audio and video, from our own receivers: there from the start, live once media flows. */
  readonly remoteStream: MediaStream;
  signal(data: SignalData): void;
  /** Sends to the other app over the data channel; false when it is not open (yet, or any more). */
  send(text: string): boolean;
  /**
   * Starts an ICE restart (new credentials, new candidates, the same DTLS and keys) by offering
   * anew. Only the offering side can; the other one waits for that offer. False when not ours to do.
   */
  restartIce(): boolean;
  destroy(): void;
}

function transceiverFor(pc: RTCPeerConnection, kind: MediaKind): RTCRtpTransceiver | undefined {
  return pc.getTransceivers().find((transceiver) => transceiver.sender.track?.kind === kind);
}

/**
 * The call's simple-peer and its RTCPeerConnection, ready before any SDP: one audio and one video
 * transceiver, VP8/Opus only, and every sender and receiver transform attached. Synchronous on
 * purpose, up to the point where simple-peer may negotiate (see transforms.ts for why).
 */
export function openPeerSession(options: PeerSessionOptions): PeerSession {
  const config: RTCConfiguration & { encodedInsertableStreams?: boolean } = {
    iceServers: options.iceServers,
    iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
    certificates: [options.certificate],
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  };
  if (options.transformApi === 'legacy') config.encodedInsertableStreams = true;

  // simple-peer adds the captured tracks in its constructor, and negotiates no earlier than a
  // later task: everything below runs before the first offer or answer exists.
  const peer = new SimplePeer({ initiator: options.initiator, config, streams: [options.captured], trickle: true });
  const pc = peer._pc;
  const placeholders: PlaceholderTrack[] = [];
  const prepare = (kind: MediaKind): RTCRtpTransceiver => {
    let transceiver = transceiverFor(pc, kind);
    if (transceiver === undefined) {
      const placeholder = placeholderTrack(kind);
      placeholders.push(placeholder);
      const sender = pc.addTrack(placeholder.track, options.captured);
      transceiver = pc.getTransceivers().find((candidate) => candidate.sender === sender);
    }
    if (transceiver === undefined) throw new Error(`no ${kind} transceiver`);
    preferEncryptableCodecs(transceiver, kind);
    attachFrameTransforms(transceiver, kind, options.crypto, options.transformApi);
    return transceiver;
  };
  let audio: RTCRtpTransceiver;
  let video: RTCRtpTransceiver;
  try {
    audio = prepare('audio');
    video = prepare('video');
  } catch (error) {
    for (const placeholder of placeholders) placeholder.release();
    peer.destroy();
    throw error;
  }
  // The transforms are attached; the placeholders may go now. Their senders send nothing.
  for (const placeholder of placeholders) {
    const sender = pc.getSenders().find((candidate) => candidate.track === placeholder.track);
    void (sender?.replaceTrack(null) ?? Promise.resolve()).finally(() => {
      placeholder.release();
    });
  }

  // simple-peer destroys the peer as soon as ICE or the connection reports 'failed'. A laptop
  // changing networks fails exactly like that, and an ICE restart brings it back: the call session
  // decides when to give up, so simple-peer's handlers only see the states it can act on.
  const simplePeerIceHandler = pc.oniceconnectionstatechange;
  pc.oniceconnectionstatechange = (event) => {
    if (pc.iceConnectionState !== 'failed') simplePeerIceHandler?.call(pc, event);
    options.onIceState?.(pc.iceConnectionState);
  };
  const simplePeerGatheringHandler = pc.onicegatheringstatechange;
  pc.onicegatheringstatechange = (event) => {
    if (pc.iceConnectionState !== 'failed') simplePeerGatheringHandler?.call(pc, event);
  };
  pc.onconnectionstatechange = null;

  let closing = false;
  peer.on('signal', (data) => {
    const wire = toWireSignal(data);
    if (wire !== undefined) options.onSignal(wire);
  });
  peer.on('connect', () => {
    options.onConnect();
  });
  peer.on('error', (error) => {
    if (!closing) options.onLost(error.code ?? error.message);
  });
  peer.on('close', () => {
    if (!closing) options.onLost('closed');
  });
  peer.on('data', (raw) => {
    options.onData?.(raw);
  });

  return {
    pc,
    senders: { audio: audio.sender, video: video.sender },
    remoteStream: new MediaStream([audio.receiver.track, video.receiver.track]),
    signal(data) {
      if (!peer.destroyed) peer.signal(data);
    },
    send(text) {
      if (peer.destroyed || !peer.connected) return false;
      peer.send(text);
      return true;
    },
    restartIce() {
      if (peer.destroyed || !options.initiator) return false;
      pc.restartIce();
      peer.negotiate();
      return true;
    },
    destroy() {
      closing = true;
      peer.destroy();
    },
  };
}
