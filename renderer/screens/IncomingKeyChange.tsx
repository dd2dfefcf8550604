import { useId, useState } from 'react';
import type { SealcallBridge } from '../../shared/ipc';
import { Checkbox } from '../components/Checkbox';
import { WarningIcon } from '../components/Icons';
import { SafetyDigits } from '../components/SafetyDigits';
import { firstName, sentence } from '../components/sentence';
import { useSafetyNumber } from './SafetyNumber';

interface IncomingKeyChangeProps {
  bridge: SealcallBridge;
  peerId: string;
  /** The caller's pinned key from the contact list, so the number shown follows it. */
  pinnedKey: string | undefined;
  peerName: string;
  confirmed: boolean;
  onConfirmedChange: (confirmed: boolean) => void;
  disabled: boolean;
}

/**
 * The incoming-call counterpart of the outgoing KeyChangedGate: a caller whose key changed since it
 * was pinned may be someone in the middle, so the change is said first, the new number is one click
 * away, and answering waits for an explicit "answer anyway" (the core refuses it otherwise).
 */
export function IncomingKeyChange({ bridge, peerId, pinnedKey, peerName, confirmed, onConfirmedChange, disabled }: IncomingKeyChangeProps) {
  const ids = useId();
  const [showNumber, setShowNumber] = useState(false);
  const name = firstName(peerName);
  return (
    <div className="notice notice-warning incoming-key-change" role="alert" aria-labelledby={`${ids}-title`}>
      <p id={`${ids}-title`} className="notice-title">
        <WarningIcon className="icon-small" /> {peerName}'s safety number has changed
      </p>
      <p id={`${ids}-text`}>
        {name} probably set up Sealcall again, on a new computer for example. It could also mean someone is trying to intercept your calls.
      </p>
      {showNumber ? (
        <NewNumber bridge={bridge} peerId={peerId} pinnedKey={pinnedKey} peerName={peerName} />
      ) : (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setShowNumber(true);
          }}
        >
          View the new safety number
        </button>
      )}
      <Checkbox
        label={`Answer anyway: I know ${name}'s safety number changed`}
        checked={confirmed}
        disabled={disabled}
        describedBy={`${ids}-text`}
        onChange={onConfirmedChange}
      />
    </div>
  );
}

function NewNumber({ bridge, peerId, pinnedKey, peerName }: { bridge: SealcallBridge; peerId: string; pinnedKey: string | undefined; peerName: string }) {
  const loaded = useSafetyNumber(bridge, peerId, pinnedKey);
  if (loaded.status === 'loading') return <p className="muted">Computing the new safety number…</p>;
  if (loaded.status === 'failed') return <p className="field-error">{sentence(loaded.message)}</p>;
  return <SafetyDigits digits={loaded.number.digits} label={`New safety number with ${peerName}`} />;
}
