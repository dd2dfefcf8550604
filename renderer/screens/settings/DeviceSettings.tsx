import { useState } from 'react';
import type { SettingsPatch, UserSettings } from '../../../shared/settings-schema';
import { StreamVideo } from '../../components/StreamMedia';
import { captureProblemText } from '../../lobby/capture-problem';
import { DevicePickers } from '../../lobby/DevicePickers';
import { MicLevelMeter } from '../../lobby/MicLevelMeter';
import { useCapture } from '../../lobby/use-capture';
import { deviceChoicePatch, resolveDevices } from '../../lobby/use-device-choice';
import { useMediaDevices } from '../../lobby/use-media-devices';

/**
 * The devices calls use, with a test that turns the camera and mic on only while asked: a
 * settings page must not light the camera by being opened.
 */
export function DeviceSettings({ values, save }: { values: UserSettings; save: (patch: SettingsPatch) => void }) {
  const [testing, setTesting] = useState(false);
  const lists = useMediaDevices(testing);
  const chosen = resolveDevices(values, lists);
  const mic = useCapture('audio', testing ? chosen.audioinput : null);
  const camera = useCapture('video', testing ? chosen.videoinput : null);
  return (
    <div className="device-settings">
      <DevicePickers
        lists={lists}
        chosen={chosen}
        onChoose={(kind, option) => {
          save(deviceChoicePatch(kind, option));
        }}
      />
      <button
        type="button"
        className="button button-secondary button-small"
        aria-pressed={testing}
        onClick={() => {
          setTesting(!testing);
        }}
      >
        {testing ? 'Stop test' : 'Test camera and microphone'}
      </button>
      {testing && (
        <div className="device-test">
          {camera.stream !== null ? (
            <StreamVideo stream={camera.stream} className="lobby-video" label="Your camera preview" />
          ) : (
            camera.problem !== null && <p className="field-error">{captureProblemText('video', camera.problem)}</p>
          )}
          <MicLevelMeter stream={mic.stream} muted={false} />
          {mic.problem !== null && <p className="field-error">{captureProblemText('audio', mic.problem)}</p>}
        </div>
      )}
    </div>
  );
}
