import { useEffect, useState } from 'react';
import type { ResponseOf, SealcallBridge } from '../../../shared/ipc';
import { SafetyDigits } from '../../components/SafetyDigits';
import { ipcErrorMessage } from '../../hooks/ipc-error';

/**
 * This device's half of every safety number (30 digits). A colleague's safety-number screen shows
 * it as one of the two halves, so it can be checked from here too.
 */
export function OwnSafetyNumber({ bridge }: { bridge: SealcallBridge }) {
  const [fingerprint, setFingerprint] = useState<ResponseOf<'identity.fingerprint'> | { failed: string } | null>(null);
  useEffect(() => {
    let live = true;
    bridge.invoke('identity.fingerprint').then(
      (value) => {
        if (live) setFingerprint(value);
      },
      (error: unknown) => {
        if (live) setFingerprint({ failed: ipcErrorMessage(error, 'no answer from Sealcall') });
      },
    );
    return () => {
      live = false;
    };
  }, [bridge]);
  if (fingerprint === null) return <p className="muted">Loading…</p>;
  if ('failed' in fingerprint) return <p className="field-error">Your safety number could not be shown: {fingerprint.failed}</p>;
  return (
    <div className="own-safety">
      <SafetyDigits digits={fingerprint.digits} label="Your safety number" />
      <p className="field-hint">Your half of every safety number, as {fingerprint.userId}. It changes only if you set up Sealcall again.</p>
    </div>
  );
}
