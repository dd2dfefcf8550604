import { useEffect, useId, useRef, useState } from 'react';
import type { Contact } from '../../shared/ipc';
import { Avatar } from '../components/Avatar';
import { PeopleIcon, PhoneIcon, SearchIcon, VideoIcon } from '../components/Icons';
import { Presence } from '../components/Presence';
import { TrustBadge } from '../components/TrustBadges';
import type { Media } from '../call/call-engine-types';
import type { GroupMedia } from '../call/group/group-engine-types';
import { GroupSelectBar } from './group/GroupSelectBar';
import { filterContacts } from './contact-search';
import { useVisibleRows } from './use-visible-rows';

export interface CallAvailability {
  /** Why calling is impossible right now, shown as the buttons' tooltip; undefined when it is possible. */
  blockedBecause(contact: Contact): string | undefined;
}

interface ContactListProps {
  contacts: readonly Contact[];
  query: string;
  onQueryChange: (query: string) => void;
  selectedId: string | null;
  onSelect: (contact: Contact) => void;
  onCall: (contact: Contact, media: Media) => void;
  availability: CallAvailability;
  /** The rows in view, whenever they change: their presence is followed. */
  onVisibleRows?: (ids: readonly string[]) => void;
  /** Group calls: the list gets a "New group call" mode where several contacts are picked. */
  group?: {
    /** Why a group call cannot start now; undefined when it can. */
    blockedBecause: string | undefined;
    /** The most people who may be picked: the server's cap on a group call, less the owner. */
    maxInvitees: number;
    onStart: (contacts: Contact[], media: GroupMedia) => void;
  };
}

export function ContactList({ contacts, query, onQueryChange, selectedId, onSelect, onCall, availability, onVisibleRows, group }: ContactListProps) {
  const ids = useId();
  // Picking people for a group call, in list order of picking; null outside that mode.
  const [picking, setPicking] = useState<readonly string[] | null>(null);
  const picked = picking === null ? [] : contacts.filter((contact) => picking.includes(contact.id));
  const shown = filterContacts(contacts, query);
  const listRef = useRef<HTMLUListElement>(null);
  const visible = useVisibleRows(listRef, shown.map((contact) => contact.id).join('\n'));
  useEffect(() => {
    onVisibleRows?.(visible);
  }, [visible, onVisibleRows]);
  return (
    <section className="sidebar" aria-labelledby={`${ids}-heading`}>
      <div className="sidebar-head">
        <div className="sidebar-title-row">
          <h2 id={`${ids}-heading`} className="sidebar-title">
            Contacts
          </h2>
          {group !== undefined && (
            <button
              type="button"
              className="link-button group-pick-toggle"
              aria-pressed={picking !== null}
              onClick={() => {
                setPicking(picking === null ? [] : null);
              }}
            >
              {picking === null ? 'New group call' : 'Cancel group call'}
            </button>
          )}
        </div>
        <div className="search">
          <SearchIcon className="search-icon" />
          <input
            type="search"
            className="search-input"
            placeholder="Search"
            aria-label="Search contacts"
            value={query}
            onChange={(event) => {
              onQueryChange(event.target.value);
            }}
          />
        </div>
      </div>
      {contacts.length === 0 ? (
        <div className="sidebar-empty">
          <PeopleIcon className="empty-icon" />
          <p className="empty-title">No colleagues yet</p>
          <p className="empty-text">Colleagues appear here as soon as IT enrolls them.</p>
        </div>
      ) : shown.length === 0 ? (
        <div className="sidebar-empty" role="status">
          <p className="empty-title">No one matches “{query.trim()}”</p>
          <p className="empty-text">Search looks at names and IDs.</p>
        </div>
      ) : (
        <ul className="contact-list" aria-label="Contacts" ref={listRef}>
          {shown.map((contact) => {
            const blocked = availability.blockedBecause(contact);
            return (
              <li key={contact.id} data-contact-id={contact.id} className={contact.id === selectedId ? 'contact-row contact-row-selected' : 'contact-row'}>
                {picking !== null && (
                  <input
                    type="checkbox"
                    className="group-pick"
                    aria-label={`Add ${contact.displayName} to the group call`}
                    checked={picking.includes(contact.id)}
                    disabled={!picking.includes(contact.id) && picking.length >= (group?.maxInvitees ?? 0)}
                    onChange={(event) => {
                      const on = event.currentTarget.checked;
                      setPicking(on ? [...picking, contact.id] : picking.filter((id) => id !== contact.id));
                    }}
                  />
                )}
                <button
                  type="button"
                  className="contact-main"
                  aria-current={contact.id === selectedId ? 'true' : undefined}
                  onClick={() => {
                    onSelect(contact);
                  }}
                >
                  <span className="avatar-with-dot">
                    <Avatar id={contact.id} name={contact.displayName} />
                    <span className={`avatar-dot presence-${contact.presence}`} aria-hidden="true" />
                  </span>
                  <span className="contact-text">
                    <span className="contact-name">{contact.displayName}</span>
                    <span className="contact-sub">
                      <Presence presence={contact.presence} dot={false} />
                      <TrustBadge verified={contact.verified} keyChanged={contact.keyChanged} pinLost={contact.pinLost} />
                    </span>
                  </span>
                </button>
                <span className="contact-actions">
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Audio call to ${contact.displayName}`}
                    title={blocked ?? 'Audio only'}
                    disabled={blocked !== undefined}
                    onClick={() => {
                      onCall(contact, { audio: true, video: false });
                    }}
                  >
                    <PhoneIcon />
                  </button>
                  <button
                    type="button"
                    className="icon-button icon-button-accent"
                    aria-label={`Call ${contact.displayName}`}
                    title={blocked ?? 'Video call'}
                    disabled={blocked !== undefined}
                    onClick={() => {
                      onCall(contact, { audio: true, video: true });
                    }}
                  >
                    <VideoIcon />
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {group !== undefined && picking !== null && (
        <GroupSelectBar
          picked={picked}
          maxInvitees={group.maxInvitees}
          blockedBecause={group.blockedBecause}
          onStart={(media) => {
            setPicking(null);
            group.onStart(picked, media);
          }}
        />
      )}
    </section>
  );
}
