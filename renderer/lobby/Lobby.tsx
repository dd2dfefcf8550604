import { useId, useRef, useState } from 'react';
import type { SealcallBridge } from '../../shared/ipc';
import type { Media, StartChoice } from '../call/call-engine-types';
import { Checkbox } from '../components/Checkbox';
import { VideoOffIcon } from '../components/Icons';
import { Modal } from '../components/Modal';
import { StreamVideo } from '../components/StreamMedia';
import { useSettingsEditor } from '../hooks/use-settings-editor';
import { useRingtone } from '../hooks/use-ringtone';
import { captureProblemText } from './capture-problem';
import { DevicePickers } from './DevicePickers';
import { MicLevelMeter } from './MicLevelMeter';
import { useCapture } from './use-capture';
import { deviceChoicePatch, resolveDevices } from './use-device-choice';
import { NONE_YET, useMediaDevices } from './use-media-devices';

export interface LobbyChoice {
  media: Media;
  start: StartChoice;
}

interface LobbyProps {
  bridge: SealcallBridge;
  peerName: string;
  /** 'incoming': answering a video call, which keeps ringing until Join. */
  direction: 'outgoing' | 'incoming';
  ringtone: boolean;
  onJoin: (choice: LobbyChoice) => void;
  onCancel: () => void;
}

/**
 * Before a video call starts (placing it, or answering with video): see yourself, hear that the
 * mic works, pick the devices, and choose to start muted or with the camera off. Its preview
 * tracks stop when it closes; the call opens its own.
 */
export function Lobby({ bridge, peerName, direction, ringtone, onJoin, onCancel }: LobbyProps) {
  const ids = useId();
  const { values, save } = useSettingsEditor(bridge);
  // Per call: starts from the defaults in settings, and is not written back.
  const [mutedChoice, setMuted] = useState<boolean | null>(null);
  const [cameraOffChoice, setCameraOff] = useState<boolean | null>(null);
  const [joining, setJoining] = useState(false);
  const [saveProblem, setSaveProblem] = useState<string | null>(null);
  const muted = mutedChoice ?? values?.startMuted ?? false;
  const cameraOff = cameraOffChoice ?? values?.startCameraOff ?? false;
  const joinRef = useRef<HTMLButtonElement>(null);

  // Labels and ids are only listed once access is granted: list again when the preview opens.
  const [grantedAt, setGrantedAt] = useState(0);
  const lists = useMediaDevices(grantedAt);
  const chosen = resolveDevices(values, lists);
  const settled = values !== undefined && lists !== NONE_YET;
  const mic = useCapture('audio', settled ? chosen.audioinput : null);
  const camera = useCapture('video', settled && !cameraOff ? chosen.videoinput : null);
  const granted = Number(mic.stream !== null) + Number(camera.stream !== null);
  if (granted > grantedAt) setGrantedAt(granted);

  useRingtone(direction === 'incoming' && ringtone && !joining);

  const join = () => {
    setJoining(true);
    // A device the OS refused does not stop the call: it starts without it.
    onJoin({
      media: { audio: mic.problem === null, video: true },
      start: { muted: muted || mic.problem !== null, cameraOff: cameraOff || camera.problem !== null },
    });
  };

  const title = direction === 'incoming' ? `${peerName} is calling` : `Video call with ${peerName}`;
  return (
    <Modal labelledBy={`${ids}-title`} onDismiss={onCancel} initialFocus={joinRef} className="modal-lobby">
      <h2 id={`${ids}-title`} className="modal-title">
        {title}
      </h2>
      <p className="modal-text">{direction === 'incoming' ? 'Check how you look and sound, then join.' : 'Check how you look and sound before you call.'}</p>
      <div className="lobby">
        <div className="lobby-preview">
          {camera.stream !== null && !cameraOff ? (
            <StreamVideo stream={camera.stream} className="lobby-video" label="Your camera preview" />
          ) : (
            <div className="lobby-video lobby-video-off">
              <VideoOffIcon />
              <span>{cameraOff ? 'Your camera is off' : camera.problem !== null ? 'Camera unavailable' : 'Starting camera…'}</span>
            </div>
          )}
          <MicLevelMeter stream={mic.stream} muted={muted} />
        </div>
        <div className="lobby-side">
          <DevicePickers
            lists={lists}
            chosen={chosen}
            onChoose={(kind, option) => {
              setSaveProblem(null);
              void save(deviceChoicePatch(kind, option)).then((problem) => {
                if (problem !== null) setSaveProblem('Your choice could not be saved. Pick it again, or check Settings.');
              });
            }}
          />
          <div className="lobby-toggles">
            <Checkbox label="Join muted" checked={muted} onChange={setMuted} />
            <Checkbox label="Camera off" checked={cameraOff} onChange={setCameraOff} />
          </div>
        </div>
      </div>
      {(mic.problem !== null || camera.problem !== null || saveProblem !== null) && (
        <div className="notice notice-warning lobby-problems" role="alert">
          {camera.problem !== null && !cameraOff && <p>{captureProblemText('video', camera.problem)}</p>}
          {mic.problem !== null && <p>{captureProblemText('audio', mic.problem)}</p>}
          {saveProblem !== null && <p>{saveProblem}</p>}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={joining}>
          Cancel
        </button>
        <button ref={joinRef} type="button" className="button button-primary" onClick={join} disabled={joining}>
          {direction === 'incoming' ? 'Join' : 'Call'}
        </button>
      </div>
    </Modal>
  );
}
