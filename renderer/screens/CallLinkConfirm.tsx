import { useId, useRef } from 'react';
import type { Contact } from '../../shared/ipc';
import { Modal } from '../components/Modal';
import { firstName } from '../components/sentence';

interface CallLinkConfirmProps {
  contact: Contact;
  onCall: () => void;
  onCancel: () => void;
}

/**
 * A sealcall://call link comes from a mail or a web page, which the user may not have meant to
 * open: the call (with the microphone on) only starts once the user says so here.
 */
export function CallLinkConfirm({ contact, onCall, onCancel }: CallLinkConfirmProps) {
  const ids = useId();
  const callButton = useRef<HTMLButtonElement>(null);
  return (
    <Modal labelledBy={`${ids}-title`} describedBy={`${ids}-text`} onDismiss={onCancel} initialFocus={callButton}>
      <h2 id={`${ids}-title`} className="modal-title">
        Call {contact.displayName}?
      </h2>
      <p id={`${ids}-text`} className="modal-text">
        A link asked Sealcall to call {firstName(contact.displayName)}. It will be an audio call: your microphone will be on, your
        camera stays off.
      </p>
      <div className="modal-actions">
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button ref={callButton} type="button" className="button button-primary" onClick={onCall}>
          Call
        </button>
      </div>
    </Modal>
  );
}
