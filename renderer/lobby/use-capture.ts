import { useEffect, useState } from 'react';
import { captureProblemOf, type CaptureProblem } from './capture-problem';
import { SYSTEM_DEFAULT } from './device-match';

export interface Capture {
  stream: MediaStream | null;
  problem: CaptureProblem | null;
}

function constraintsFor(kind: 'audio' | 'video', deviceId: string): MediaStreamConstraints {
  const device: MediaTrackConstraints = deviceId === SYSTEM_DEFAULT ? {} : { deviceId: { exact: deviceId } };
  return kind === 'audio' ? { audio: device } : { video: { ...device, width: { ideal: 1280 }, height: { ideal: 720 } } };
}

/**
 * One device captured for a preview, or nothing when `deviceId` is null (camera off). Each kind
 * is opened on its own, so a denied camera does not take the microphone down with it. The tracks
 * stop when the device changes and when the component goes away: no camera light is left on.
 */
export function useCapture(kind: 'audio' | 'video', deviceId: string | null): Capture {
  const [capture, setCapture] = useState<Capture>({ stream: null, problem: null });
  useEffect(() => {
    if (deviceId === null) {
      setCapture({ stream: null, problem: null });
      return;
    }
    let live = true;
    let opened: MediaStream | null = null;
    navigator.mediaDevices.getUserMedia(constraintsFor(kind, deviceId)).then(
      (stream) => {
        opened = stream;
        // Closed (or switched device) while the OS was still opening it.
        if (!live) for (const track of stream.getTracks()) track.stop();
        else setCapture({ stream, problem: null });
      },
      (error: unknown) => {
        if (live) setCapture({ stream: null, problem: captureProblemOf(error) });
      },
    );
    return () => {
      live = false;
      if (opened !== null) for (const track of opened.getTracks()) track.stop();
    };
  }, [kind, deviceId]);
  return capture;
}
