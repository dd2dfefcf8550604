import type { TrackSender } from '../local-media-controls';

/**
 * One kind's sender as the camera, microphone and screen-share controls see it in a group call:
 * a track put here goes on that kind's sender of every pair, and a pair opened later starts with
 * it. So the camera and microphone are captured once and a share replaces the video everywhere.
 */
export class FanOutSender implements TrackSender {
  #track: MediaStreamTrack | null;
  readonly #senders = new Set<RTCRtpSender>();

  constructor(track: MediaStreamTrack | null) {
    this.#track = track;
  }

  get track(): MediaStreamTrack | null {
    return this.#track;
  }

  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    this.#track = track;
    await Promise.all([...this.#senders].map((sender) => sender.replaceTrack(track)));
  }

  /** A new pair's sender: it carries what the others carry. */
  add(sender: RTCRtpSender): void {
    this.#senders.add(sender);
    if (sender.track !== this.#track) void sender.replaceTrack(this.#track).catch(() => undefined);
  }

  remove(sender: RTCRtpSender): void {
    this.#senders.delete(sender);
  }
}
