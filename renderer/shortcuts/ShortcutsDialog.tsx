import { useId } from 'react';
import { CloseIcon } from '../components/Icons';
import { Modal } from '../components/Modal';
import { comboFor, currentPlatform, SHORTCUTS, showShortcutsCombos, type KeyCombo, type ShortcutWhen } from './shortcuts';
import './shortcuts.css';

const GROUPS: readonly { when: ShortcutWhen; title: string }[] = [
  { when: 'in-call', title: 'During a call' },
  { when: 'ringing', title: 'When a call comes in' },
];

function Keys({ combo }: { combo: KeyCombo }) {
  return (
    <span className="shortcut-keys">
      {combo.keys.map((key) => (
        <kbd key={key} className="shortcut-key">
          {key}
        </kbd>
      ))}
    </span>
  );
}

/** Every keyboard shortcut, grouped by when it works. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const ids = useId();
  const platform = currentPlatform();
  return (
    <Modal labelledBy={`${ids}-title`} describedBy={`${ids}-text`} onDismiss={onClose} className="modal-shortcuts">
      <button type="button" className="icon-button modal-close" aria-label="Close" onClick={onClose}>
        <CloseIcon />
      </button>
      <h2 id={`${ids}-title`} className="modal-title">
        Keyboard shortcuts
      </h2>
      <p id={`${ids}-text`} className="modal-text">
        They work anywhere in Sealcall except while you type in a text field.
      </p>
      {GROUPS.map((group) => (
        <section key={group.when} className="shortcut-group" aria-labelledby={`${ids}-${group.when}`}>
          <h3 id={`${ids}-${group.when}`} className="shortcut-group-title">
            {group.title}
          </h3>
          <dl className="shortcut-list">
            {SHORTCUTS.filter((shortcut) => shortcut.when === group.when).map((shortcut) => (
              <div key={shortcut.action} className="shortcut-row">
                <dt>{shortcut.description}</dt>
                <dd>
                  <Keys combo={comboFor(shortcut, platform)} />
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <section className="shortcut-group" aria-labelledby={`${ids}-anywhere`}>
        <h3 id={`${ids}-anywhere`} className="shortcut-group-title">
          Anywhere
        </h3>
        <dl className="shortcut-list">
          <div className="shortcut-row">
            <dt>Show this list</dt>
            <dd>
              {showShortcutsCombos(platform).map((combo, index) => (
                <span key={combo.aria}>
                  {index > 0 && <span className="shortcut-or"> or </span>}
                  <Keys combo={combo} />
                </span>
              ))}
            </dd>
          </div>
        </dl>
      </section>
      <div className="modal-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}
