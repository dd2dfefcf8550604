import { shortcutHint } from '../shortcuts/shortcuts';
import { MicIcon, MicOffIcon, VideoIcon, VideoOffIcon } from './Icons';

/*
 * The microphone and camera toggles of every call screen (1:1 and group): the same words, state,
 * shortcut hints and icons, so a user who learnt one screen knows the other.
 */

interface ToggleProps {
  off: boolean;
  disabled: boolean;
  onToggle: (off: boolean) => void;
}

export function MuteToggle({ off, disabled, onToggle }: ToggleProps) {
  const label = off ? 'Unmute' : 'Mute';
  return (
    <button
      type="button"
      className={off ? 'control control-off' : 'control'}
      aria-pressed={off}
      aria-label={label}
      title={`${label} (${shortcutHint('toggleMute').title})`}
      aria-keyshortcuts={shortcutHint('toggleMute').aria}
      disabled={disabled}
      onClick={() => {
        onToggle(!off);
      }}
    >
      {off ? <MicOffIcon /> : <MicIcon />}
    </button>
  );
}

export function CameraToggle({ off, disabled, onToggle }: ToggleProps) {
  const label = off ? 'Turn camera on' : 'Turn camera off';
  return (
    <button
      type="button"
      className={off ? 'control control-off' : 'control'}
      aria-pressed={off}
      aria-label={label}
      title={`${label} (${shortcutHint('toggleCamera').title})`}
      aria-keyshortcuts={shortcutHint('toggleCamera').aria}
      disabled={disabled}
      onClick={() => {
        onToggle(!off);
      }}
    >
      {off ? <VideoOffIcon /> : <VideoIcon />}
    </button>
  );
}
