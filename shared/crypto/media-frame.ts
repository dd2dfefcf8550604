/**
 * Encoded media frames on the wire: the codec's clear prefix, then the SFrame ciphertext. The
 * packetizer and the decoder's frame handling read the first bytes of a frame, so those stay clear;
 * they are the SFrame metadata, hence authenticated. So is the frame's media kind, which both ends
 * know from the transform and so never send: audio and video share one key and one counter
 * sequence per generation, and a frame moved from one stream to the other must not open there.
 */
import { CryptoError } from './errors';
import { decodeSFrameHeader, type SFrameReceiver, type SFrameSender } from './sframe';

/** The only codecs negotiated while encryption is on: their packetizers need just the prefix. */
export type MediaKind = 'vp8' | 'opus';

/** Picks the receiver by the KID in the frame's header; undefined when it is not held. */
export type SFrameReceiverLookup = (kid: bigint) => SFrameReceiver | undefined;

/**
 * The SFrame context of each codec: one byte naming its media kind (audio or video), authenticated
 * ahead of the clear prefix. One fixed-length byte keeps context || prefix unambiguous.
 */
const KIND_CONTEXT: Readonly<Record<MediaKind, Uint8Array>> = {
  opus: Uint8Array.of(0x01),
  vp8: Uint8Array.of(0x02),
};

/** The bytes a frame of this codec authenticates ahead of its clear prefix (exported for the tests). */
export function mediaKindContext(kind: MediaKind): Uint8Array {
  return KIND_CONTEXT[kind].slice();
}

/** VP8 key frames: 3-byte frame tag + 7-byte start code and dimensions (RFC 6386 §9.1). */
const VP8_KEY_FRAME_PREFIX = 10;
/** VP8 delta frames: the 3-byte frame tag. */
const VP8_DELTA_FRAME_PREFIX = 3;
/** Opus: the TOC byte (RFC 6716 §3.1). */
const OPUS_PREFIX = 1;

/**
 * How many leading bytes of `frame` stay clear. The receiver calls it on the received bytes too,
 * which works because the bytes it reads (VP8's key-frame bit) are themselves in the clear prefix.
 */
export function clearPrefixLength(kind: MediaKind, frame: Uint8Array): number {
  const first = frame[0];
  if (first === undefined) return 0;
  if (kind === 'opus') return OPUS_PREFIX;
  // RFC 6386 §9.1: bit 0 of the frame tag is 0 on a key frame.
  return (first & 0x01) === 0 ? VP8_KEY_FRAME_PREFIX : VP8_DELTA_FRAME_PREFIX;
}

/**
 * prefix || SFrame(prefix as metadata, rest of the frame). An empty frame is returned as is.
 *
 * A frame shorter than its codec prefix (a VP8 key frame under 10 bytes, a delta frame under 3) is
 * not a valid frame, and is refused with 'media-frame-truncated' so the caller drops it. Sending it
 * with a shorter prefix would put the whole frame in the clear, and encrypting it whole would hand
 * the packetizer a frame tag that is ciphertext.
 */
export function encryptMediaFrame(sender: SFrameSender, kind: MediaKind, frame: Uint8Array): Uint8Array {
  if (frame.length === 0) return frame;
  const prefixLength = clearPrefixLength(kind, frame);
  if (frame.length < prefixLength) {
    throw new CryptoError('media-frame-truncated', `${kind} frame of ${frame.length} bytes is shorter than its clear prefix`);
  }
  // The prefix is the metadata, placed in clear before the SFrame in the same buffer: no second copy.
  return sender.encrypt(frame.subarray(0, prefixLength), frame.subarray(prefixLength), { metadataFirst: true, context: KIND_CONTEXT[kind] });
}

/**
 * The original frame, or a CryptoError: 'media-frame-truncated' (shorter than its prefix),
 * 'sframe-truncated' or 'sframe-bad-header', 'sframe-unknown-kid' (no receiver for the header's
 * KID), 'sframe-replayed' (its counter already opened a frame, or is too old), 'sframe-auth-failed'
 * (including a frame of the other media kind). An empty frame is returned as is, as the sender
 * passes it untouched.
 */
export function decryptMediaFrame(receivers: SFrameReceiver | SFrameReceiverLookup, kind: MediaKind, data: Uint8Array): Uint8Array {
  if (data.length === 0) return data;
  const prefixLength = clearPrefixLength(kind, data);
  if (data.length < prefixLength) {
    throw new CryptoError('media-frame-truncated', `${kind} frame of ${data.length} bytes is shorter than its clear prefix`);
  }
  const prefix = data.subarray(0, prefixLength);
  const body = data.subarray(prefixLength);
  let receiver: SFrameReceiver | undefined;
  if (typeof receivers === 'function') {
    const { kid } = decodeSFrameHeader(body);
    receiver = receivers(kid);
    if (receiver === undefined) throw new CryptoError('sframe-unknown-kid', `no SFrame receiver for KID ${kid}`);
  } else {
    receiver = receivers;
  }
  return receiver.open(prefix, body, { context: KIND_CONTEXT[kind], metadataFirst: true }).plaintext;
}
