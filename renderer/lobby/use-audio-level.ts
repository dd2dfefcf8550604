import { useEffect, useState } from 'react';

/** Steps of the level: finer would re-render every frame for changes nobody can see. */
const STEP = 5;

/**
 * The loudness of a stream's sound, 0 to 100, from a WebAudio AnalyserNode, while the stream is
 * live. Only the level leaves this hook: no audio is recorded or kept.
 */
export function useAudioLevel(stream: MediaStream | null): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    setLevel(0);
    if (stream === null || stream.getAudioTracks().length === 0) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    const source = context.createMediaStreamSource(stream);
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let frame = 0;
    const measure = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const rms = Math.sqrt(sum / samples.length);
      // Speech sits around 0.01–0.3 RMS; a square root spreads that over the bar like a VU meter.
      const percent = Math.min(100, Math.round((Math.sqrt(rms) * 140) / STEP) * STEP);
      setLevel(percent);
      frame = requestAnimationFrame(measure);
    };
    // A context made without a user gesture may start suspended.
    void context.resume().catch(() => undefined);
    frame = requestAnimationFrame(measure);
    return () => {
      cancelAnimationFrame(frame);
      source.disconnect();
      void context.close().catch(() => undefined);
    };
  }, [stream]);
  return level;
}
