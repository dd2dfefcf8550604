import { useId } from 'react';
import type { Contact, SealcallBridge } from '../../shared/ipc';
import { WarningIcon } from '../components/Icons';
import { Modal } from '../components/Modal';
import { SafetyDigits } from '../components/SafetyDigits';
import { firstName, sentence } from '../components/sentence';
import { useSafetyNumber } from './SafetyNumber';

interface KeyChangedGateProps {
  bridge: SealcallBridge;
  contact: Contact;
  onCancel: () => void;
  onCallAnyway: () => void;
}

/**
 * Stands between the user and a call to someone whose key changed since it was pinned: the one
 * moment a swapped key (a malicious server) can still be noticed before anything is said.
 */
export function KeyChangedGate({ bridge, contact, onCancel, onCallAnyway }: KeyChangedGateProps) {
  const ids = useId();
  const loaded = useSafetyNumber(bridge, contact.id, contact.identityKey);
  const name = firstName(contact.displayName);
  return (
    <Modal labelledBy={`${ids}-title`} describedBy={`${ids}-text`} onDismiss={onCancel} className="modal-gate">
      <div className="modal-icon modal-icon-warning">
        <WarningIcon />
      </div>
      <h2 id={`${ids}-title`} className="modal-title">
        {contact.displayName}'s safety number changed
      </h2>
      <p id={`${ids}-text`} className="modal-text">
        {name} probably set up Sealcall again, on a new computer for example. It could also mean someone is trying to intercept your
        calls. Compare the new safety number with {name} before you discuss anything sensitive.
      </p>
      {loaded.status === 'ready' && (
        <SafetyDigits digits={loaded.number.digits} label={`New safety number with ${contact.displayName}`} />
      )}
      {loaded.status === 'loading' && <p className="muted">Computing the new safety number…</p>}
      {loaded.status === 'failed' && <p className="field-error">{sentence(loaded.message)}</p>}
      <div className="modal-actions">
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button button-primary" onClick={onCallAnyway} disabled={loaded.status === 'loading'}>
          Call anyway
        </button>
      </div>
    </Modal>
  );
}
