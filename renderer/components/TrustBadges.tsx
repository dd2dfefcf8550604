import { ShieldCheckIcon, WarningIcon } from './Icons';

export function VerifiedBadge() {
  return (
    <span className="badge badge-verified">
      <ShieldCheckIcon className="icon-small" />
      Verified
    </span>
  );
}

export function KeyChangedBadge({ pinLost = false }: { pinLost?: boolean }) {
  return (
    <span className="badge badge-key-changed">
      <WarningIcon className="icon-small" />
      {pinLost ? 'Verify again' : 'Safety number changed'}
    </span>
  );
}

/** Whichever applies: a changed key outranks an old verification (the core clears it anyway). */
export function TrustBadge({ verified, keyChanged, pinLost = false }: { verified: boolean; keyChanged: boolean; pinLost?: boolean }) {
  if (keyChanged) return <KeyChangedBadge pinLost={pinLost} />;
  if (verified) return <VerifiedBadge />;
  return null;
}
