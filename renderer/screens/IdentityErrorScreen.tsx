import { useId } from 'react';
import type { IdentityStatus } from '../../shared/ipc';
import { WarningIcon } from '../components/Icons';
import { sentence } from '../components/sentence';

type IdentityError = Extract<IdentityStatus, { state: 'error' }>;

/** For each failure: what happened, in plain words, and what the user can do about it. */
const EXPLANATIONS: Record<IdentityError['code'], { title: string; action: string }> = {
  'keystore-corrupt': {
    title: 'Your key file is damaged',
    action:
      "Sealcall can't read the key that identifies this computer, and won't make a new one behind your back. Ask IT to revoke this device and send you a new enrollment link.",
  },
  'keystore-unreadable': {
    title: "Sealcall can't read its key file",
    action:
      'The file exists but could not be opened, often because of its permissions or a full disk. Restart the computer; if that does not help, contact IT.',
  },
  'keystore-unsupported-version': {
    title: 'This key was saved by a newer Sealcall',
    action: 'Update Sealcall to the latest version your organization offers, then open it again.',
  },
  'keystore-sealer-mismatch': {
    title: 'Your key is locked in a way this computer cannot open',
    action:
      'It was protected by the system keychain or a passphrase that is no longer available here. Ask IT to enroll this computer again.',
  },
  'config-invalid': {
    title: "Your organization's Sealcall settings have a problem",
    action: 'Sealcall will not start on a guess while the settings IT manages are unreadable. Send this message to IT.',
  },
};

export function IdentityErrorScreen({ error }: { error: IdentityError }) {
  const ids = useId();
  const { title, action } = EXPLANATIONS[error.code];
  return (
    <section className="card setup-card card-danger" role="alert" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`} className="heading-with-icon">
        <WarningIcon className="icon-danger" />
        {title}
      </h2>
      <p>{action}</p>
      <div className="details">
        <p className="details-label">Details for IT</p>
        <p className="details-text">
          {sentence(error.message)} <span className="muted">({error.code})</span>
        </p>
      </div>
    </section>
  );
}
