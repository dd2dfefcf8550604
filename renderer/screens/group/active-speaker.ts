/**
 * Who is speaking in a group call, from audio levels sampled over time (a few times a second).
 * Pure: the caller passes each sample's time, so the rules are the same in tests as in a call.
 *
 * Levels are WebRTC's `audioLevel`: linear, 0 (silence) to 1 (full scale), as
 * `RTCRtpReceiver.getSynchronizationSources()` and the `media-source` / `inbound-rtp` stats give
 * them. A muted participant is passed as 0.
 *
 * The rules, so the highlight neither flickers nor jumps at a cough:
 * - a participant *talks* while their level crosses the threshold with gaps no longer than the
 *   hold time (the pauses between words);
 * - a talk counts once it has lasted the minimum speech time (a click or a cough does not);
 * - the current speaker keeps the highlight while they talk; another participant takes it only by
 *   being louder (smoothed) for the whole switch time;
 * - when the current speaker stops, the loudest participant who talks takes over, or nobody.
 */

export interface SpeakerOptions {
  /** The level from which a sample counts as speech: 0.02 is about -34 dBov, well above room noise. */
  threshold: number;
  /** Time constant of the smoothed level that decides who is louder. */
  smoothingMs: number;
  /** How long a talk must last before it counts. */
  minSpeechMs: number;
  /** How long after their last loud sample someone still talks (a pause between words). */
  holdMs: number;
  /** How long a challenger must stay louder than the current speaker to take over. */
  switchMs: number;
}

export const DEFAULT_SPEAKER_OPTIONS: SpeakerOptions = {
  threshold: 0.02,
  smoothingMs: 200,
  minSpeechMs: 250,
  holdMs: 800,
  switchMs: 700,
};

interface Track {
  /** Exponentially smoothed level. */
  level: number;
  /** Start of the current talk, or null. */
  talkSince: number | null;
  lastLoudAt: number | null;
  /** Since when this participant has been louder than the current speaker, or null. */
  louderSince: number | null;
}

export interface SpeakerState {
  /** Time of the last sample taken, or null before the first. */
  at: number | null;
  speaker: string | null;
  tracks: ReadonlyMap<string, Track>;
}

export const NO_SPEAKER: SpeakerState = { at: null, speaker: null, tracks: new Map() };

/** A level as a number in [0, 1]; anything else (NaN, a negative, Infinity) as silence or full scale. */
function cleanLevel(level: number): number {
  if (Number.isNaN(level) || level <= 0) return 0;
  return Math.min(level, 1);
}

function talks(track: Track, at: number, options: SpeakerOptions): boolean {
  return track.lastLoudAt !== null && at - track.lastLoudAt <= options.holdMs;
}

function counts(track: Track, at: number, options: SpeakerOptions): boolean {
  return talks(track, at, options) && track.talkSince !== null && track.lastLoudAt !== null && track.lastLoudAt - track.talkSince >= options.minSpeechMs;
}

function nextTrack(previous: Track | undefined, level: number, at: number, dt: number | null, options: SpeakerOptions): Track {
  const smoothed =
    previous === undefined || dt === null ? level : previous.level + (level - previous.level) * (1 - Math.exp(-dt / options.smoothingMs));
  const loud = level >= options.threshold;
  if (!loud) {
    return { level: smoothed, talkSince: previous?.talkSince ?? null, lastLoudAt: previous?.lastLoudAt ?? null, louderSince: null };
  }
  const continues = previous !== undefined && previous.talkSince !== null && talks(previous, at, options);
  return { level: smoothed, talkSince: continues ? previous.talkSince : at, lastLoudAt: at, louderSince: null };
}

/** The participant with the highest smoothed level among `ids`; ties go to the smaller id, so the result never depends on order. */
function loudest(ids: readonly string[], tracks: ReadonlyMap<string, Track>): string | null {
  let best: string | null = null;
  let bestLevel = -1;
  for (const id of [...ids].sort()) {
    const level = tracks.get(id)?.level ?? 0;
    if (level > bestLevel) {
      best = id;
      bestLevel = level;
    }
  }
  return best;
}

/**
 * The state after one sample: `levels` has every participant present at time `at` (anyone missing
 * has left and is forgotten). A sample not later than the last one is ignored.
 */
export function sampleSpeakers(
  state: SpeakerState,
  at: number,
  levels: ReadonlyMap<string, number>,
  options: SpeakerOptions = DEFAULT_SPEAKER_OPTIONS,
): SpeakerState {
  if (!Number.isFinite(at) || (state.at !== null && at <= state.at)) return state;
  const dt = state.at === null ? null : at - state.at;
  const tracks = new Map<string, Track>();
  for (const [id, level] of levels) tracks.set(id, nextTrack(state.tracks.get(id), cleanLevel(level), at, dt, options));

  const counting = [...tracks].filter(([, track]) => counts(track, at, options)).map(([id]) => id);
  const current = state.speaker === null ? undefined : tracks.get(state.speaker);

  if (state.speaker === null || current === undefined || !talks(current, at, options)) {
    return { at, speaker: loudest(counting, tracks), tracks };
  }

  // The current speaker still talks: only a challenger louder for the whole switch time takes over.
  const ready: string[] = [];
  for (const id of counting) {
    if (id === state.speaker) continue;
    const track = tracks.get(id);
    if (track === undefined || track.level <= current.level) continue;
    const louderSince = state.tracks.get(id)?.louderSince ?? at;
    tracks.set(id, { ...track, louderSince });
    if (at - louderSince >= options.switchMs) ready.push(id);
  }
  const challenger = loudest(ready, tracks);
  if (challenger === null) return { at, speaker: state.speaker, tracks };
  // A new speaker: everyone's "louder than the speaker" starts again against them.
  for (const [id, track] of tracks) if (track.louderSince !== null) tracks.set(id, { ...track, louderSince: null });
  return { at, speaker: challenger, tracks };
}
