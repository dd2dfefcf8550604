import type { Contact } from '../../shared/ipc';

const LABELS: Record<Contact['presence'], string> = {
  online: 'Online',
  busy: 'In a call',
  offline: 'Offline',
};

export function presenceLabel(presence: Contact['presence']): string {
  return LABELS[presence];
}

/**
 * The presence in words, with a coloured dot beside it unless one is already on the avatar: colour
 * is never the only cue.
 */
export function Presence({ presence, dot = true }: { presence: Contact['presence']; dot?: boolean }) {
  return (
    <span className={`presence presence-${presence}`}>
      {dot && <span className="presence-dot" aria-hidden="true" />}
      {LABELS[presence]}
    </span>
  );
}
