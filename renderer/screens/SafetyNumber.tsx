import { useEffect, useId, useState } from 'react';
import type { Contact, ResponseOf, SealcallBridge } from '../../shared/ipc';
import { ChevronLeftIcon, ShieldCheckIcon, WarningIcon } from '../components/Icons';
import { QrCode } from '../components/QrCode';
import { SafetyDigits } from '../components/SafetyDigits';
import { firstName, sentence } from '../components/sentence';
import { ipcErrorMessage } from '../hooks/ipc-error';

type SafetyNumberView = ResponseOf<'contacts.safetyNumber'>;

type Loaded = { status: 'loading' } | { status: 'ready'; number: SafetyNumberView } | { status: 'failed'; message: string };

/**
 * The safety number with one contact, re-read whenever the key pinned for them changes
 * (`pinnedKey`, from the contact list). A number computed for another key than the pinned one is
 * never shown, not even while the new one is on its way: "Mark as verified" must vouch for the
 * digits on screen, and the core refuses digits that are not the current key's.
 */
export function useSafetyNumber(bridge: SealcallBridge, userId: string, pinnedKey: string | undefined): Loaded {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    bridge.invoke('contacts.safetyNumber', { userId }).then(
      (number) => {
        if (live) setLoaded({ status: 'ready', number });
      },
      (error: unknown) => {
        if (live) setLoaded({ status: 'failed', message: ipcErrorMessage(error, 'The safety number could not be computed.') });
      },
    );
    return () => {
      live = false;
    };
  }, [bridge, userId, pinnedKey]);
  if (loaded.status === 'ready' && pinnedKey !== undefined && loaded.number.identityKey !== pinnedKey) return { status: 'loading' };
  return loaded;
}

interface SafetyNumberProps {
  bridge: SealcallBridge;
  contact: Contact;
  onBack?: () => void;
}

export function SafetyNumber({ bridge, contact, onBack }: SafetyNumberProps) {
  const ids = useId();
  const loaded = useSafetyNumber(bridge, contact.id, contact.identityKey);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const name = firstName(contact.displayName);

  const setVerified = async (change: { verified: true; digits: string } | { verified: false }) => {
    setSaving(true);
    setError(undefined);
    try {
      await bridge.invoke('contacts.setVerified', { userId: contact.id, ...change });
    } catch (caught) {
      setError(sentence(ipcErrorMessage(caught, 'The change was not saved.')));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="pane-content safety" aria-labelledby={`${ids}-heading`}>
      {onBack !== undefined && (
        <button type="button" className="link-button back-button" onClick={onBack}>
          <ChevronLeftIcon className="icon-small" /> {contact.displayName}
        </button>
      )}
      <h2 id={`${ids}-heading`} className="safety-title">
        Safety number with {contact.displayName}
      </h2>
      <p className="safety-lead">
        If the number on your screen and on {name}'s screen match, your calls are end-to-end encrypted with {name} and nobody else, not
        even your company's server, is in the middle.
      </p>
      {contact.pinLost && (
        <div className="notice notice-warning" role="status">
          <p className="notice-title">
            <WarningIcon className="icon-small" /> Verify {name} again
          </p>
          <p>Sealcall lost its record of {name}'s key. Compare the number below with {name} before you call about anything sensitive.</p>
        </div>
      )}
      {contact.keyChanged && !contact.pinLost && (
        <div className="notice notice-warning" role="status">
          <p className="notice-title">
            <WarningIcon className="icon-small" /> {name}'s safety number changed
          </p>
          <p>
            {name} probably set up Sealcall again, on a new computer for instance. Compare the new number below before you call about
            anything sensitive.
          </p>
        </div>
      )}
      {loaded.status === 'loading' && <p className="muted">Computing the safety number…</p>}
      {loaded.status === 'failed' && (
        <p className="notice notice-danger" role="alert">
          {sentence(loaded.message)}
        </p>
      )}
      {loaded.status === 'ready' && (
        <div className="safety-body">
          <SafetyDigits digits={loaded.number.digits} label={`Safety number with ${contact.displayName}`} />
          <figure className="safety-qr">
            <QrCode text={loaded.number.scannable} label={`QR code of the safety number with ${contact.displayName}`} />
            <figcaption>The same number as a QR code, for a scanner.</figcaption>
          </figure>
        </div>
      )}
      <p className="safety-how">
        Read the twelve groups aloud to each other, in person or on a call where you know {name}'s voice. You both see the same number.
      </p>
      <div className={contact.verified ? 'verify-bar verify-bar-ok' : 'verify-bar'}>
        <p className="verify-state" role="status">
          {contact.verified ? (
            <>
              <ShieldCheckIcon className="icon-ok" /> You have verified {name}.
            </>
          ) : (
            `${contact.displayName} is not verified.`
          )}
        </p>
        <button
          type="button"
          className={contact.verified ? 'button button-secondary' : 'button button-primary'}
          disabled={saving || loaded.status !== 'ready'}
          onClick={() => {
            if (contact.verified) void setVerified({ verified: false });
            else if (loaded.status === 'ready') void setVerified({ verified: true, digits: loaded.number.digits });
          }}
        >
          {contact.verified ? 'Unmark as verified' : 'Mark as verified'}
        </button>
      </div>
      {error !== undefined && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
