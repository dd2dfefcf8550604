import { useId, useRef, useState, type SyntheticEvent } from 'react';
import type { IdentityStatus, ResponseOf, SealcallBridge } from '../../shared/ipc';
import { Field } from '../components/Field';
import { LockIcon } from '../components/Icons';
import { sentence } from '../components/sentence';
import { useBridgeEvent } from '../hooks/use-bridge-event';
import { describeIpcError } from '../hooks/ipc-error';
import { useAppInfo, type AppInfoState } from '../use-app-info';
import { PasswordField } from '../components/PasswordField';

/** Mirrors the core's rule (MIN_PASSPHRASE_LENGTH), so the user hears about it before the code is spent. */
const MIN_PASSPHRASE_LENGTH = 8;

type Errors = Partial<Record<'link' | 'deviceName' | 'passphrase' | 'confirm' | 'form', string>>;

const PLATFORM_NAMES: Record<ResponseOf<'app.info'>['platform'], string> = {
  darwin: 'Mac',
  win32: 'Windows PC',
  linux: 'Linux computer',
  other: 'Computer',
};

function defaultDeviceName(info: AppInfoState): string {
  return info.status === 'ready' ? PLATFORM_NAMES[info.info.platform] : 'Computer';
}

function isEnrollLink(text: string): boolean {
  return text.trim().toLowerCase().startsWith('sealcall://enroll');
}

interface EnrollScreenProps {
  bridge: SealcallBridge;
  passphraseRequired: boolean;
  onEnrolled: (status: IdentityStatus) => void;
}

export function EnrollScreen({ bridge, passphraseRequired, onEnrolled }: EnrollScreenProps) {
  const info = useAppInfo(bridge);
  const ids = useId();
  const [link, setLink] = useState('');
  const [linkFromOs, setLinkFromOs] = useState(false);
  // Null until the user types one, so the platform's name can fill in once app.info answers.
  const [deviceName, setDeviceName] = useState<string | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const linkRef = useRef<HTMLTextAreaElement>(null);
  const passphraseRef = useRef<HTMLInputElement>(null);

  const shownDeviceName = deviceName ?? defaultDeviceName(info);

  useBridgeEvent(bridge, 'app.deepLink', ({ link: received }) => {
    if (busy) return;
    if (isEnrollLink(received)) {
      setLink(received);
      setLinkFromOs(true);
      setErrors({});
    } else {
      setErrors({ link: 'That was a call link. Set up Sealcall with the enrollment link from IT first; calls work after that.' });
    }
  });

  const check = (): Errors => {
    const found: Errors = {};
    if (link.trim() === '') found.link = 'Paste the enrollment link from IT. It starts with sealcall://enroll.';
    if (shownDeviceName.trim() === '') found.deviceName = 'Give this computer a name, so you can tell your devices apart.';
    if (passphraseRequired) {
      if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
        found.passphrase = `Use at least ${MIN_PASSPHRASE_LENGTH} characters. A few unrelated words are easy to remember and hard to guess.`;
      } else if (confirm !== passphrase) {
        found.confirm = "The two passphrases don't match.";
      }
    }
    return found;
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    const found = check();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      if (found.link !== undefined) linkRef.current?.focus();
      else if (found.passphrase !== undefined || found.confirm !== undefined) passphraseRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const status = await bridge.invoke('identity.enroll', {
        link: link.trim(),
        deviceName: shownDeviceName.trim(),
        ...(passphraseRequired ? { passphrase } : {}),
      });
      onEnrolled(status);
    } catch (error) {
      const { code, message } = describeIpcError(error, 'Enrollment failed.');
      switch (code) {
        case 'invalid-link':
          setErrors({ link: `This isn't a link Sealcall can use. ${sentence(message)}` });
          linkRef.current?.focus();
          break;
        case 'weak-passphrase':
          setErrors({ passphrase: sentence(message) });
          passphraseRef.current?.focus();
          break;
        default:
          // enroll-failed carries the server's reason (code used, expired, revoked, unreachable).
          setErrors({ form: sentence(message) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card setup-card" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`}>Set up this computer</h2>
      <p className="card-lead">
        Your IT team sends each employee a one-time enrollment link. Paste yours below, or click it in the email and Sealcall fills it
        in.
      </p>
      {errors.form !== undefined && (
        <div className="notice notice-danger" role="alert">
          <p className="notice-title">Sealcall couldn't set up this computer</p>
          <p>{errors.form}</p>
        </div>
      )}
      <form
        className="form"
        noValidate
        aria-busy={busy}
        onSubmit={(event) => {
          void submit(event);
        }}
      >
        <Field
          id={`${ids}-link`}
          label="Enrollment link"
          error={errors.link}
          hint={linkFromOs ? 'Filled in from the link you opened.' : 'It works once, and expires after a while.'}
        >
          {(describedBy, invalid) => (
            <textarea
              ref={linkRef}
              id={`${ids}-link`}
              className="input input-mono"
              rows={2}
              value={link}
              placeholder="sealcall://enroll?server=…&code=…"
              spellCheck={false}
              autoComplete="off"
              autoCapitalize="off"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              disabled={busy}
              onChange={(event) => {
                setLink(event.target.value);
                setLinkFromOs(false);
              }}
            />
          )}
        </Field>
        <Field id={`${ids}-device`} label="Name of this computer" error={errors.deviceName} hint="Shown to IT in the list of your devices.">
          {(describedBy, invalid) => (
            <input
              id={`${ids}-device`}
              className="input"
              value={shownDeviceName}
              maxLength={80}
              autoComplete="off"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              disabled={busy}
              onChange={(event) => {
                setDeviceName(event.target.value);
              }}
            />
          )}
        </Field>
        {passphraseRequired && (
          <fieldset className="fieldset">
            <legend className="fieldset-legend">
              <LockIcon className="icon-small" /> Protect your key with a passphrase
            </legend>
            <p className="fieldset-text">
              This computer has no secure keychain Sealcall can use, so a passphrase protects your key instead. You'll type it when
              Sealcall starts. Nobody can recover it: if you forget it, IT has to enroll you again.
            </p>
            <div className="field-pair">
              <PasswordField
                id={`${ids}-passphrase`}
                label="Passphrase"
                value={passphrase}
                onChange={setPassphrase}
                autoComplete="new-password"
                error={errors.passphrase}
                hint={`At least ${MIN_PASSPHRASE_LENGTH} characters.`}
                disabled={busy}
                inputRef={passphraseRef}
              />
              <PasswordField
                id={`${ids}-confirm`}
                label="Confirm passphrase"
                value={confirm}
                onChange={setConfirm}
                autoComplete="new-password"
                error={errors.confirm}
                disabled={busy}
              />
            </div>
          </fieldset>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary button-wide" disabled={busy}>
            {busy ? 'Setting up…' : 'Set up Sealcall'}
          </button>
        </div>
      </form>
    </section>
  );
}
