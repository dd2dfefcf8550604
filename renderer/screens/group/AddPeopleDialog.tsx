import { useId, useState } from 'react';
import type { Contact } from '../../../shared/ipc';
import { Checkbox } from '../../components/Checkbox';
import { Modal } from '../../components/Modal';
import { SearchBox } from '../../components/SearchBox';
import { matchesSearch } from './participant-sections';

/** Past this many candidates the dialog offers a search: a meeting may add dozens. */
const SEARCH_FROM = 8;

interface AddPeopleDialogProps {
  /** Contacts who could be added: not in the call, not invited yet. */
  candidates: readonly Contact[];
  /** How many more the call has room for. */
  room: number;
  /** Resolves false when the invite failed (the parent says why). */
  onAdd: (userIds: string[]) => Promise<boolean>;
  onClose: () => void;
}

/** The owner picks more people for the running call; the core signs a longer invite. */
export function AddPeopleDialog({ candidates, room, onAdd, onClose }: AddPeopleDialogProps) {
  const ids = useId();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState('');
  const full = picked.size >= room;
  // Someone picked stays in the list whatever the search, so a pick is never hidden.
  const shown = candidates.filter((contact) => picked.has(contact.id) || matchesSearch({ userId: contact.id, displayName: contact.displayName }, query));
  return (
    <Modal labelledBy={`${ids}-title`} describedBy={`${ids}-text`} onDismiss={onClose}>
      <h2 id={`${ids}-title`} className="modal-title">
        Add people
      </h2>
      <p id={`${ids}-text`} className="modal-text">
        {room === 0 ? 'The call is full.' : `Room for ${room} more. Everyone gets a new group security code once they join.`}
      </p>
      {candidates.length > SEARCH_FROM && (
        <SearchBox label="Search contacts to add" className="group-add-search" value={query} onChange={setQuery} />
      )}
      <div className="group-add-list">
        {candidates.length === 0 && <p className="muted">Everyone in your contacts is already in the call or invited.</p>}
        {candidates.length > 0 && shown.length === 0 && <p className="muted">No contact matches.</p>}
        {shown.map((contact) => (
          <Checkbox
            key={contact.id}
            label={contact.keyChanged || contact.pinLost ? `${contact.displayName} (safety number changed)` : contact.displayName}
            checked={picked.has(contact.id)}
            disabled={busy || (full && !picked.has(contact.id)) || contact.keyChanged || contact.pinLost}
            onChange={(checked) => {
              const next = new Set(picked);
              if (checked) next.add(contact.id);
              else next.delete(contact.id);
              setPicked(next);
            }}
          />
        ))}
      </div>
      <div className="modal-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={busy || picked.size === 0}
          onClick={() => {
            setBusy(true);
            void onAdd([...picked]).then((ok) => {
              setBusy(false);
              if (ok) onClose();
            });
          }}
        >
          Add {picked.size === 0 ? '' : picked.size}
        </button>
      </div>
    </Modal>
  );
}
