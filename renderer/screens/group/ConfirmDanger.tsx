import { useId, useRef } from 'react';
import { Modal } from '../../components/Modal';

interface ConfirmDangerProps {
  title: string;
  text: string;
  confirmLabel: string;
  onCancel: () => void;
  onConfirm: () => void;
}

/** A question before an action that can't be undone (End for everyone, Remove): Cancel has the focus. */
export function ConfirmDanger({ title, text, confirmLabel, onCancel, onConfirm }: ConfirmDangerProps) {
  const ids = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Modal labelledBy={`${ids}-title`} describedBy={`${ids}-text`} initialFocus={cancel} onDismiss={onCancel}>
      <h2 id={`${ids}-title`} className="modal-title">
        {title}
      </h2>
      <p id={`${ids}-text`} className="modal-text">
        {text}
      </p>
      <div className="modal-actions">
        <button ref={cancel} type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button group-button-danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
