import { useEffect, useState } from 'react';
import { optionsOf, type DeviceKind, type DeviceOption } from './device-match';

export type DeviceLists = Record<DeviceKind, DeviceOption[]>;

/** Before the first answer of enumerateDevices. */
export const NONE_YET: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };

/**
 * The computer's cameras, microphones and speakers, kept current: a headset plugged in or pulled
 * out fires devicechange. `relistAfter` changes when access was granted, since labels only show
 * after that.
 */
export function useMediaDevices(relistAfter: unknown): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>(NONE_YET);
  useEffect(() => {
    let live = true;
    const list = () => {
      navigator.mediaDevices.enumerateDevices().then(
        (devices) => {
          if (live) setLists({ audioinput: optionsOf(devices, 'audioinput'), videoinput: optionsOf(devices, 'videoinput'), audiooutput: optionsOf(devices, 'audiooutput') });
        },
        () => undefined,
      );
    };
    list();
    navigator.mediaDevices.addEventListener('devicechange', list);
    return () => {
      live = false;
      navigator.mediaDevices.removeEventListener('devicechange', list);
    };
  }, [relistAfter]);
  return lists;
}
