import type { MediaKind, TransformDirection, TransformOptions } from '../workers/frame-crypto-messages';
import type { FrameCryptoClient } from './frame-crypto-client';

export type TransformApi = 'script' | 'legacy';

interface EncodedStreams {
  readable: ReadableStream<unknown>;
  writable: WritableStream<unknown>;
}

/** Chromium's pre-standard API, absent from the DOM typings. */
interface LegacyEncodedStreams {
  createEncodedStreams?: () => EncodedStreams;
}

/**
 * The transform API this browser has: RTCRtpScriptTransform where it exists, else the legacy
 * createEncodedStreams (which needs `encodedInsertableStreams: true` in the RTCPeerConnection
 * config). None at all means no call: media is never sent unencrypted.
 */
export function chooseTransformApi(preferLegacy: boolean): TransformApi {
  const hasScript = typeof globalThis.RTCRtpScriptTransform === 'function';
  const hasLegacy = typeof (RTCRtpSender.prototype as LegacyEncodedStreams).createEncodedStreams === 'function';
  if (hasScript && !(preferLegacy && hasLegacy)) return 'script';
  if (hasLegacy) return 'legacy';
  throw new Error('this version of Sealcall cannot encrypt call media here, so it will not place the call');
}

/**
 * Attaches the frame-crypto transform of one sender or receiver. A group call attaches one per
 * RTCRtpSender and RTCRtpReceiver of each pairwise connection, all to the call's one worker: the
 * worker's mode (set by its keys) decides how frames are keyed, so the attach is the same as in a
 * 1:1 call. The same timing rule holds as for attachFrameTransforms below. `slot`: an SFU
 * receiver, which opens only the frames of the member the page binds to it.
 */
export function attachFrameTransform(target: RTCRtpSender | RTCRtpReceiver, kind: MediaKind, direction: TransformDirection, crypto: FrameCryptoClient, api: TransformApi, slot?: string): void {
  if (api === 'script') {
    const options: TransformOptions = { kind, direction, ...(slot === undefined ? {} : { slot }) };
    // A new transform object every time: one is never moved to another sender or receiver.
    target.transform = new RTCRtpScriptTransform(crypto.worker, options);
    return;
  }
  const create = (target as LegacyEncodedStreams).createEncodedStreams;
  if (create === undefined) throw new Error('createEncodedStreams is missing');
  const { readable, writable } = create.call(target);
  crypto.pipeStreams({ type: 'streams', kind, direction, readable, writable, ...(slot === undefined ? {} : { slot }) });
}

/**
 * Attaches the sender's and the receiver's transform of one transceiver. Measured in Chromium 156:
 * a transform attached in a later task than the one that created its transceiver (after any
 * await or timer) silently never sees a frame, and neither does a receiver's attached once SDP is
 * applied. So the caller creates the transceivers and calls this in the same synchronous run.
 */
export function attachFrameTransforms(transceiver: RTCRtpTransceiver, kind: MediaKind, crypto: FrameCryptoClient, api: TransformApi): void {
  attachFrameTransform(transceiver.sender, kind, 'send', crypto, api);
  attachFrameTransform(transceiver.receiver, kind, 'receive', crypto, api);
}
