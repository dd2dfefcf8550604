import { useEffect } from 'react';
import { startRinging } from './ringtone';

/** Rings while `ringing` is true; stops the moment it turns false or the component goes away. */
export function useRingtone(ringing: boolean): void {
  useEffect(() => {
    if (!ringing) return;
    const ringer = startRinging();
    return () => {
      ringer.stop();
    };
  }, [ringing]);
}
