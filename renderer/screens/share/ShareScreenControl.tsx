import { useState } from 'react';
import type { SealcallBridge } from '../../../shared/ipc';
import { useCallEngine } from '../../hooks/call-engine-context';
import { ScreenPicker } from './ScreenPicker';
import { ScreenShareIcon } from './ScreenShareIcon';

interface ShareScreenControlProps {
  bridge: SealcallBridge;
  peerName: string;
  sharing: boolean;
  /** Sharing needs the call connected: the other side hears of it over the call's data channel. */
  connected: boolean;
}

/** The call toolbar's "Share screen" toggle: opens the picker, or stops the share. */
export function ShareScreenControl({ bridge, peerName, sharing, connected }: ShareScreenControlProps) {
  const engine = useCallEngine();
  const [picking, setPicking] = useState(false);
  const label = sharing ? 'Stop sharing your screen' : 'Share screen';
  return (
    <>
      <button
        type="button"
        className={sharing ? 'control control-sharing' : 'control'}
        aria-pressed={sharing}
        aria-label={label}
        title={label}
        disabled={engine === null || !connected}
        onClick={() => {
          if (sharing) void engine?.stopScreenShare();
          else setPicking(true);
        }}
      >
        <ScreenShareIcon />
      </button>
      {picking && engine !== null && (
        <ScreenPicker
          bridge={bridge}
          engine={engine}
          peerName={peerName}
          onClose={() => {
            setPicking(false);
          }}
        />
      )}
    </>
  );
}
