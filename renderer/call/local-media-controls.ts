import type { MediaKind } from '../workers/frame-crypto-messages';
import { captureMedia, type DeviceChoice } from './local-media';

/**
 * What the controls need of a sender: a 1:1 call's RTCRtpSender, or a group call's fan-out to
 * the same kind's sender of every pair.
 */
export type TrackSender = Pick<RTCRtpSender, 'replaceTrack' | 'track'>;

export interface TrackState {
  kind: string;
  readyState: MediaStreamTrackState;
}

/**
 * The call's own camera and microphone, and the two controls on them:
 * - mute sets the microphone track's `enabled` to false: the encoder then sends silence, so the far
 *   side's audio keeps flowing (no gap, no "connection lost" look) and unmuting is instant;
 * - camera off stops the camera track and swaps the sender to null: the camera light goes off, as
 *   a user expects, and no video is encoded or sent. Camera on captures it again. (The frame
 *   transform stays on the sender, so the new track's frames are encrypted like the old ones.)
 * A kind the call started without is captured on first use, through the same sender.
 */
export class LocalMediaControls {
  readonly #devices: DeviceChoice;
  readonly #tracks: Partial<Record<MediaKind, MediaStreamTrack>> = {};
  /** Every track this call ever opened, so diagnostics can show that all of them ended. */
  readonly #opened: MediaStreamTrack[] = [];
  #senders: Partial<Record<MediaKind, TrackSender>> = {};
  #muted: boolean;
  #cameraOff: boolean;
  #stream: MediaStream;
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #onChange: () => void;

  private constructor(stream: MediaStream, devices: DeviceChoice, muted: boolean, cameraOff: boolean, onChange: () => void) {
    this.#devices = devices;
    this.#muted = muted;
    this.#cameraOff = cameraOff;
    this.#onChange = onChange;
    for (const track of stream.getTracks()) this.#adopt(track);
    this.#stream = this.#preview();
  }

  /** `startMuted` still opens the microphone (muted calls send silence); a kind not wanted is not opened. */
  static async open(
    want: { audio: boolean; video: boolean },
    devices: DeviceChoice,
    startMuted: boolean,
    onChange: () => void,
  ): Promise<LocalMediaControls> {
    const stream = await captureMedia(want, devices);
    return new LocalMediaControls(stream, devices, startMuted || !want.audio, !want.video, onChange);
  }

  /** The local preview: a new MediaStream object whenever its tracks change. */
  get stream(): MediaStream {
    return this.#stream;
  }

  get muted(): boolean {
    return this.#muted;
  }

  get cameraOff(): boolean {
    return this.#cameraOff;
  }

  /** The stream whose tracks the peer sends (placeholders fill in the missing kinds). */
  get captured(): MediaStream {
    return new MediaStream(Object.values(this.#tracks));
  }

  track(kind: MediaKind): MediaStreamTrack | undefined {
    return this.#tracks[kind];
  }

  bindSenders(senders: Partial<Record<MediaKind, TrackSender>>): void {
    this.#senders = senders;
  }

  /** The flag changes at once (the state the screens read); the device work follows in order. */
  setMuted(muted: boolean): Promise<void> {
    this.#muted = muted;
    return this.#serially(async () => {
      const audio = this.#tracks.audio;
      if (audio !== undefined) audio.enabled = !this.#muted;
      else if (!this.#muted) {
        await this.#captureInto('audio').catch((error: unknown) => {
          this.#muted = true;
          throw error;
        });
      }
    });
  }

  setCameraOff(off: boolean): Promise<void> {
    this.#cameraOff = off;
    // Each step moves toward the latest wish, so a quick off-on-off ends where it was last asked.
    return this.#serially(async () => {
      const video = this.#tracks.video;
      if (this.#cameraOff && video !== undefined) {
        delete this.#tracks.video;
        video.stop();
        await this.#senders.video?.replaceTrack(null);
        this.#changed();
      } else if (!this.#cameraOff && video === undefined) {
        await this.#captureInto('video').catch((error: unknown) => {
          this.#cameraOff = true;
          throw error;
        });
      }
    });
  }

  stopAll(): void {
    this.#stopped = true;
    for (const track of this.#opened) track.stop();
    delete this.#tracks.audio;
    delete this.#tracks.video;
    this.#stream = new MediaStream();
  }

  trackStates(): TrackState[] {
    return this.#opened.map((track) => ({ kind: track.kind, readyState: track.readyState }));
  }

  async #captureInto(kind: MediaKind): Promise<void> {
    const [track] = (await captureMedia({ audio: kind === 'audio', video: kind === 'video' }, this.#devices)).getTracks();
    if (track === undefined) return;
    this.#opened.push(track);
    if (this.#stopped) {
      track.stop();
      return;
    }
    this.#adopt(track);
    await this.#senders[kind]?.replaceTrack(track);
    this.#changed();
  }

  #adopt(track: MediaStreamTrack): void {
    const kind = track.kind === 'audio' ? 'audio' : 'video';
    if (!this.#opened.includes(track)) this.#opened.push(track);
    if (kind === 'audio') track.enabled = !this.#muted;
    this.#tracks[kind] = track;
  }

  #preview(): MediaStream {
    return new MediaStream(Object.values(this.#tracks));
  }

  #changed(): void {
    this.#stream = this.#preview();
    this.#onChange();
  }

  #serially(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
