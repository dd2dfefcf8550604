import type { MediaKind } from '../workers/frame-crypto-messages';

/*
 * VP8 and Opus only while encryption is on: their packetizers need nothing past the clear prefix
 * of a frame, whereas H.264's and AV1's read inside the payload, which SFrame has encrypted. RTX
 * (retransmission) stays, since it works on whole packets.
 */
const KEEP: Record<MediaKind, readonly string[]> = {
  audio: ['audio/opus'],
  video: ['video/vp8', 'video/rtx'],
};

export function preferEncryptableCodecs(transceiver: RTCRtpTransceiver, kind: MediaKind): void {
  const codecs = (RTCRtpReceiver.getCapabilities(kind)?.codecs ?? []).filter((codec) => KEEP[kind].includes(codec.mimeType.toLowerCase()));
  const primary = KEEP[kind][0];
  if (!codecs.some((codec) => codec.mimeType.toLowerCase() === primary)) {
    throw new Error(`this system cannot send ${primary ?? kind}, which encrypted calls need`);
  }
  transceiver.setCodecPreferences(codecs);
}
