import { ShieldCheckIcon, WarningIcon } from './Icons';

export function VerifiedBadge() {
  return (
    <span className="badge badge-verified">
      <ShieldCheckIcon className="icon-small" />
      Verified
    </span>
  );
}

export function KeyChangedBadge() {
  return (
    <span className="badge badge-key-changed">
      <WarningIcon className="icon-small" />
      Safety number changed
    </span>
  );
}

/** Whichever applies: a changed key outranks an old verification (the core clears it anyway). */
export function TrustBadge({ verified, keyChanged }: { verified: boolean; keyChanged: boolean }) {
  if (keyChanged) return <KeyChangedBadge />;
  if (verified) return <VerifiedBadge />;
  return null;
}
