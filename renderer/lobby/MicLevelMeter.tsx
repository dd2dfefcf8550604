import { useAudioLevel } from './use-audio-level';

/**
 * A live bar of the microphone's loudness, so the user sees that the right mic hears them. A
 * native <meter>: its fill needs no inline style, which the CSP forbids.
 */
export function MicLevelMeter({ stream, muted }: { stream: MediaStream | null; muted: boolean }) {
  const level = useAudioLevel(stream);
  return (
    <div className="mic-meter">
      <meter
        className="mic-meter-bar"
        aria-label="Microphone level"
        min={0}
        max={100}
        low={70}
        high={90}
        optimum={40}
        value={level}
        aria-valuetext={stream === null ? 'No microphone' : level === 0 ? 'Silent' : `${level}%`}
      />
      {muted && stream !== null && <p className="mic-meter-note">You will join muted. Others won’t hear you until you unmute.</p>}
    </div>
  );
}
