import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import type { IdentityStatus, SealcallBridge } from '../../shared/ipc';
import { Avatar } from '../components/Avatar';
import { sentence } from '../components/sentence';
import { describeIpcError } from '../hooks/ipc-error';
import { PasswordField } from '../components/PasswordField';

interface UnlockScreenProps {
  bridge: SealcallBridge;
  identity: Extract<IdentityStatus, { state: 'locked' }>;
  onUnlocked: (status: IdentityStatus) => void;
}

export function UnlockScreen({ bridge, identity, onUnlocked }: UnlockScreenProps) {
  const ids = useId();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (passphrase === '') {
      setError('Type your passphrase.');
      inputRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      onUnlocked(await bridge.invoke('identity.unlock', { passphrase }));
    } catch (caught) {
      const { code, message } = describeIpcError(caught, 'Sealcall could not unlock.');
      setError(code === 'wrong-passphrase' ? "That passphrase isn't right. Check Caps Lock and try again." : sentence(message));
      setPassphrase('');
      setBusy(false);
    }
  };

  // Back to the field after a failed try, once it is enabled again.
  useEffect(() => {
    if (error !== undefined && !busy) inputRef.current?.focus();
  }, [error, busy]);

  return (
    <section className="card setup-card setup-card-narrow" aria-labelledby={`${ids}-heading`}>
      <div className="unlock-who">
        <Avatar id={identity.userId} name={identity.displayName} size="large" />
        <div>
          <h2 id={`${ids}-heading`}>Unlock Sealcall</h2>
          <p className="unlock-account">
            {identity.displayName} <span className="muted">· {identity.userId}</span>
          </p>
        </div>
      </div>
      <p className="card-lead">Your key is locked with the passphrase you chose when you set up this computer.</p>
      <form
        className="form"
        noValidate
        aria-busy={busy}
        onSubmit={(event) => {
          void submit(event);
        }}
      >
        <PasswordField
          id={`${ids}-passphrase`}
          label="Passphrase"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="current-password"
          error={error}
          disabled={busy}
          // The only thing to do on this screen.
          autoFocus
          inputRef={inputRef}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary button-wide" disabled={busy}>
            {busy ? 'Unlocking…' : 'Unlock'}
          </button>
        </div>
      </form>
      <p className="card-foot">Forgot it? Nobody can recover it, the server included. Ask IT to enroll this computer again.</p>
    </section>
  );
}
