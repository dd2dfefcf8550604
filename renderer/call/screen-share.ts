import type { MediaKind } from '../workers/frame-crypto-messages';
import type { LocalMediaControls, TrackSender } from './local-media-controls';

/**
 * A screen share in a call. The display track goes into the call's one video sender with
 * replaceTrack, so the sender's frame transform (SFrame) encrypts it exactly like the camera, and
 * no renegotiation is needed. While the share holds the sender, the camera controls are unbound
 * from it: turning the camera off or on changes the camera only, and the share goes on. Stopping
 * (the Stop button, or the OS ending the capture) puts the camera back, or nothing if it is off.
 */
export class ScreenShare {
  readonly #senders: Record<MediaKind, TrackSender>;
  readonly #media: LocalMediaControls;
  readonly #onChange: (sharing: boolean) => void;
  #track: MediaStreamTrack | null = null;
  /** The latest share's track, kept after it stops so diagnostics can show that it ended. */
  #last: MediaStreamTrack | null = null;
  #queue: Promise<void> = Promise.resolve();

  constructor(senders: Record<MediaKind, TrackSender>, media: LocalMediaControls, onChange: (sharing: boolean) => void) {
    this.#senders = senders;
    this.#media = media;
    this.#onChange = onChange;
  }

  get sharing(): boolean {
    return this.#track !== null;
  }

  /** What the video sender carries now, for diagnostics. */
  videoSource(): 'screen' | 'camera' | 'none' {
    const sent = this.#senders.video.track;
    if (sent === null) return 'none';
    return sent === this.#track ? 'screen' : 'camera';
  }

  /** The latest share's capture: 'live' while it runs, 'ended' once stopped; null before any. */
  captureState(): MediaStreamTrackState | null {
    return this.#last?.readyState ?? null;
  }

  /** Takes over the video sender with `track`; a second share while one runs stops the newcomer. */
  start(track: MediaStreamTrack): Promise<void> {
    return this.#serially(async () => {
      if (this.#track !== null) {
        track.stop();
        return;
      }
      // Text and edges stay sharp; the encoder drops frame rate rather than resolution.
      track.contentHint = 'detail';
      this.#track = track;
      this.#last = track;
      track.addEventListener('ended', () => {
        if (this.#track === track) void this.stop();
      });
      this.#media.bindSenders({ audio: this.#senders.audio });
      try {
        await this.#senders.video.replaceTrack(track);
      } catch (error) {
        this.#track = null;
        track.stop();
        this.#media.bindSenders(this.#senders);
        throw error;
      }
      this.#onChange(true);
    });
  }

  stop(): Promise<void> {
    return this.#serially(async () => {
      const track = this.#track;
      if (track === null) return;
      this.#track = null;
      track.stop();
      this.#media.bindSenders(this.#senders);
      await this.#senders.video.replaceTrack(this.#media.track('video') ?? null);
      this.#onChange(false);
    });
  }

  /** The call is over: the capture stops (the OS's "sharing" indicator goes away) at once. */
  dispose(): void {
    this.#track?.stop();
    this.#track = null;
  }

  #serially(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
