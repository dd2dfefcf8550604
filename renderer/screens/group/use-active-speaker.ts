import { useEffect, useState } from 'react';
import { DEFAULT_SPEAKER_OPTIONS, NO_SPEAKER, sampleSpeakers, type SpeakerOptions } from './active-speaker';

/**
 * Samples everyone's audio level every `intervalMs` and returns the active speaker (user id), or
 * null. `readLevels` returns the level of every member present, 0 to 1 as WebRTC gives it (see
 * active-speaker.ts); null while there is nothing to read.
 */
export function useActiveSpeaker(
  readLevels: (() => ReadonlyMap<string, number>) | null,
  intervalMs = 100,
  options: SpeakerOptions = DEFAULT_SPEAKER_OPTIONS,
): string | null {
  const [speaker, setSpeaker] = useState<string | null>(null);
  useEffect(() => {
    setSpeaker(null);
    if (readLevels === null) return;
    let state = NO_SPEAKER;
    const timer = setInterval(() => {
      state = sampleSpeakers(state, performance.now(), readLevels(), options);
      setSpeaker(state.speaker);
    }, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }, [readLevels, intervalMs, options]);
  return speaker;
}
