import type { MediaKind } from '../workers/frame-crypto-messages';

export interface PlaceholderTrack {
  track: MediaStreamTrack;
  release(): void;
}

/*
 * A track that stands in for a camera or microphone the user left off, for one reason: a
 * transceiver must exist for each kind before the first SDP (transforms can only be attached then),
 * and on the answering side it must be made by addTrack, because an offer's m-line reuses only
 * addTrack-made transceivers; one from addTransceiver() is passed over and a new, untransformed
 * one is created. The engine swaps the placeholder for null right after, so it never sends.
 */
export function placeholderTrack(kind: MediaKind): PlaceholderTrack {
  if (kind === 'video') {
    const canvas = document.createElement('canvas');
    canvas.width = 2;
    canvas.height = 2;
    const [track] = canvas.captureStream(0).getVideoTracks();
    if (track === undefined) throw new Error('no placeholder video track');
    return {
      track,
      release: () => {
        track.stop();
      },
    };
  }
  const context = new AudioContext();
  const [track] = context.createMediaStreamDestination().stream.getAudioTracks();
  if (track === undefined) throw new Error('no placeholder audio track');
  return {
    track,
    release: () => {
      track.stop();
      void context.close().catch(() => undefined);
    },
  };
}
