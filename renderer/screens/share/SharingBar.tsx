import { useCallEngine } from '../../hooks/call-engine-context';
import { ScreenShareIcon } from './ScreenShareIcon';

/** Shown while we send our screen: what is happening, and one click to stop, as in Zoom or Meet. */
export function SharingBar() {
  const engine = useCallEngine();
  return (
    <div className="call-banner sharing-bar" role="status">
      <ScreenShareIcon />
      <span>You are sharing your screen</span>
      <button
        type="button"
        className="button button-small sharing-bar-stop"
        disabled={engine === null}
        onClick={() => {
          void engine?.stopScreenShare();
        }}
      >
        Stop sharing
      </button>
    </div>
  );
}
