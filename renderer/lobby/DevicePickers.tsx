import { useId } from 'react';
import { SYSTEM_DEFAULT, type DeviceKind, type DeviceOption } from './device-match';
import type { ResolvedDevices } from './use-device-choice';
import type { DeviceLists } from './use-media-devices';

const LABELS: Record<DeviceKind, string> = { videoinput: 'Camera', audioinput: 'Microphone', audiooutput: 'Speaker' };

/** Chromium can route a media element to a chosen output; where it cannot, the speaker picker is left out. */
export const canChooseSpeaker = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

interface DevicePickersProps {
  lists: DeviceLists;
  chosen: ResolvedDevices;
  onChoose: (kind: DeviceKind, option: DeviceOption | null) => void;
  /** Kinds not to offer (the camera in an audio-only context). */
  hide?: readonly DeviceKind[];
}

/** Camera, microphone and speaker pickers; "System default" follows whatever the OS picks. */
export function DevicePickers({ lists, chosen, onChoose, hide = [] }: DevicePickersProps) {
  const ids = useId();
  const kinds = (['videoinput', 'audioinput', 'audiooutput'] as const).filter(
    (kind) => !hide.includes(kind) && (kind !== 'audiooutput' || (canChooseSpeaker && lists.audiooutput.length > 0)),
  );
  return (
    <div className="device-pickers">
      {kinds.map((kind) => (
        <div key={kind} className="field">
          <label htmlFor={`${ids}-${kind}`} className="field-label">
            {LABELS[kind]}
          </label>
          <select
            id={`${ids}-${kind}`}
            className="input select"
            value={chosen[kind]}
            onChange={(event) => {
              const id = event.currentTarget.value;
              onChoose(kind, id === SYSTEM_DEFAULT ? null : (lists[kind].find((option) => option.id === id) ?? null));
            }}
          >
            <option value={SYSTEM_DEFAULT}>System default</option>
            {lists[kind].map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      ))}
    </div>
  );
}
