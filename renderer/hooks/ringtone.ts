/*
 * The ring of an incoming call, synthesised with WebAudio so the app ships no audio file (and the
 * CSP needs no media source for one). A soft two-note chime every three seconds: noticeable, and
 * unlike the harsh telephone bell people mute.
 */

const PERIOD_S = 3;
const NOTES: readonly { at: number; hz: number; length: number }[] = [
  { at: 0, hz: 784, length: 0.45 },
  { at: 0.22, hz: 1047, length: 0.6 },
  { at: 0.9, hz: 784, length: 0.45 },
  { at: 1.12, hz: 1047, length: 0.6 },
];
const PEAK_GAIN = 0.18;

export interface Ringer {
  stop(): void;
}

export function startRinging(): Ringer {
  let context: AudioContext;
  try {
    context = new AudioContext();
  } catch {
    // No audio output at all (a headless machine): the dialog still shows the call.
    return { stop: () => undefined };
  }
  // Without a user gesture Chromium may start the context suspended; resume is allowed for an app.
  void context.resume().catch(() => undefined);

  const schedule = (start: number): void => {
    for (const note of NOTES) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = note.hz;
      const t = start + note.at;
      gain.gain.setValueAtTime(0, t);
      gain.gain.linearRampToValueAtTime(PEAK_GAIN, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + note.length);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(t);
      oscillator.stop(t + note.length + 0.05);
    }
  };

  schedule(context.currentTime + 0.05);
  const timer = setInterval(() => {
    schedule(context.currentTime + 0.05);
  }, PERIOD_S * 1000);

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      void context.close().catch(() => undefined);
    },
  };
}
