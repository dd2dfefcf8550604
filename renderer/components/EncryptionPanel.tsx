import { useId } from 'react';
import type { EncryptionState } from '../call/call-engine-types';
import { formatShortCode } from '../screens/call-status-text';
import { KeyIcon, LockIcon, ShieldCheckIcon, WarningIcon } from './Icons';
import { firstName } from './sentence';

interface EncryptionPanelProps {
  peerName: string;
  ended: boolean;
  shortCode: string | null;
  encryption: EncryptionState | null;
  verified: boolean;
  keyChanged: boolean;
  onShowSafetyNumber: () => void;
}

function EncryptionStatus({ encryption }: { encryption: EncryptionState | null }) {
  if (encryption === 'cant-decrypt') {
    return (
      <div className="enc-state enc-state-danger" role="alert">
        <WarningIcon />
        <span>Can't decrypt — the call may be tampered with or keys are out of sync</span>
      </div>
    );
  }
  if (encryption === 'encrypted') {
    return (
      <div className="enc-state enc-state-ok" role="status">
        <LockIcon />
        <span>End-to-end encrypted</span>
      </div>
    );
  }
  return (
    <div className="enc-state" role="status">
      <LockIcon />
      <span>Setting up encryption…</span>
    </div>
  );
}

/** The per-call code both people read aloud: equal codes mean nobody sits between them. */
function ShortCode({ code, peerFirstName }: { code: string | null; peerFirstName: string }) {
  if (code === null) {
    return (
      <div className="short-code-block">
        <p className="short-code-pending">A code to compare appears here once the call is set up.</p>
      </div>
    );
  }
  return (
    <div className="short-code-block">
      <p className="short-code-label">Read these digits to each other:</p>
      <p className="short-code" aria-hidden="true">
        {formatShortCode(code)}
      </p>
      <p className="visually-hidden">{code.split('').join(' ')}</p>
      <p className="short-code-hint">{peerFirstName} sees the same twelve digits. If they differ, hang up: someone is in the middle.</p>
    </div>
  );
}

/** What makes this call trustworthy, and how the two people can check it themselves. */
export function EncryptionPanel({ peerName, ended, shortCode, encryption, verified, keyChanged, onShowSafetyNumber }: EncryptionPanelProps) {
  const ids = useId();
  const name = firstName(peerName);
  return (
    <aside className="call-side" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="call-side-title">
        Encryption
      </h3>
      {ended ? (
        <div className="enc-state" role="status">
          <LockIcon />
          <span>The call has ended.</span>
        </div>
      ) : (
        <>
          <EncryptionStatus encryption={encryption} />
          <ShortCode code={shortCode} peerFirstName={name} />
        </>
      )}
      <div className="side-trust">
        {keyChanged ? (
          <p className="side-trust-line trust-warning">
            <WarningIcon className="icon-small" /> {name}'s safety number changed
          </p>
        ) : verified ? (
          <p className="side-trust-line trust-ok">
            <ShieldCheckIcon className="icon-small" /> You verified {name}
          </p>
        ) : (
          <p className="side-trust-line trust-none">
            <KeyIcon className="icon-small" /> {name} is not verified yet
          </p>
        )}
        <button type="button" className="link-button" onClick={onShowSafetyNumber}>
          View safety number
        </button>
      </div>
    </aside>
  );
}
