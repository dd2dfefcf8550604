import type { GroupSeat } from '../../../shared/ipc';
import type { MediaKind } from '../../workers/frame-crypto-messages';
import { preferEncryptableCodecs } from '../codec-preferences';
import type { FrameCryptoClient } from '../frame-crypto-client';
import { attachFrameTransform, type TransformApi } from '../transforms';
import { gatheredSdp, sfuPeerConnection, type SfuIce } from './ice-gathered';
import type { JanusSession } from './janus-session';
import { readPublishers, readRoomNews, type Publisher, type RoomNews } from './videoroom-answers';

export interface SfuPublisherInit {
  session: JanusSession;
  seat: GroupSeat;
  selfId: string;
  /** The tracks to send now (a kind missing is sent once its track is put on the sender). */
  tracks: Partial<Record<MediaKind, MediaStreamTrack>>;
  crypto: FrameCryptoClient;
  transformApi: TransformApi;
  ice: SfuIce;
  /** What the room says after the join (publishers come and go, a kick). */
  news(news: RoomNews): void;
  /** Janus closed the connection. */
  hangup(reason: string): void;
}

/**
 * The video's simulcast layers, top first: Janus takes the first rid as its top substream (its
 * default rid order, "hml"). Chromium sends as many as the camera's size allows (three from about
 * 960x540; the app asks for 1280x720). Every layer's frames go through the sender's one SFrame
 * transform (docs/group-calls.md, "VP8 simulcast with SFrame").
 */
export const SIMULCAST_LAYERS: readonly RTCRtpEncodingParameters[] = [
  { rid: 'h', scaleResolutionDownBy: 1 },
  { rid: 'm', scaleResolutionDownBy: 2 },
  { rid: 'l', scaleResolutionDownBy: 4 },
];

/**
 * This member's one stream up to the SFU: a send-only connection with one audio and one video
 * transceiver, each sender's SFrame transform attached in the same run that made it (before any
 * SDP: transforms.ts says why), VP8 and Opus only, the video in three simulcast layers. Joined as the publisher the seat names, with the
 * user id as display: that is how the others know which member a feed claims to be.
 */
export class SfuPublisher {
  readonly pc: RTCPeerConnection;
  readonly senders: Record<MediaKind, RTCRtpSender>;
  readonly handle: number;
  readonly privateId: number;
  /** The publishers already in the room when this one joined. */
  readonly present: Publisher[];
  readonly #session: JanusSession;

  private constructor(init: { pc: RTCPeerConnection; senders: Record<MediaKind, RTCRtpSender>; handle: number; privateId: number; present: Publisher[]; session: JanusSession }) {
    this.pc = init.pc;
    this.senders = init.senders;
    this.handle = init.handle;
    this.privateId = init.privateId;
    this.present = init.present;
    this.#session = init.session;
  }

  static async start(init: SfuPublisherInit): Promise<SfuPublisher> {
    const pc = sfuPeerConnection(init.ice, init.transformApi === 'legacy');
    try {
      const make = (kind: MediaKind): RTCRtpSender => {
        const sendEncodings = kind === 'video' ? SIMULCAST_LAYERS.map((layer) => ({ ...layer })) : undefined;
        const transceiver = pc.addTransceiver(init.tracks[kind] ?? kind, { direction: 'sendonly', ...(sendEncodings === undefined ? {} : { sendEncodings }) });
        preferEncryptableCodecs(transceiver, kind);
        attachFrameTransform(transceiver.sender, kind, 'send', init.crypto, init.transformApi);
        return transceiver.sender;
      };
      const senders = { audio: make('audio'), video: make('video') };
      const { session, seat } = init;
      let ownId = seat.participantId;
      const handle = await session.attach(
        (answer) => {
          init.news(readRoomNews(answer.data, ownId));
        },
        (reason) => {
          init.hangup(reason);
        },
      );
      const joined = await session.request(handle, { request: 'join', ptype: 'publisher', room: seat.room, id: seat.participantId, token: seat.roomToken, display: init.selfId });
      const privateId = joined.data['private_id'];
      if (joined.data['videoroom'] !== 'joined' || joined.data['id'] !== seat.participantId || typeof privateId !== 'number' || !Number.isSafeInteger(privateId)) {
        throw new Error('the meeting server answered the join with something else');
      }
      ownId = seat.participantId;
      await pc.setLocalDescription(await pc.createOffer());
      const answer = await session.request(handle, { request: 'publish', audiocodec: 'opus', videocodec: 'vp8' }, { type: 'offer', sdp: await gatheredSdp(pc), e2ee: true });
      if (answer.jsep?.type !== 'answer') throw new Error('the meeting server gave no answer to the publish');
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.jsep.sdp });
      const present = readPublishers(joined.data).filter((publisher) => publisher.id !== seat.participantId);
      return new SfuPublisher({ pc, senders, handle, privateId, present, session });
    } catch (error) {
      pc.close();
      throw error;
    }
  }

  close(): void {
    this.pc.close();
    if (!this.#session.isClosed()) this.#session.detach(this.handle);
  }
}
