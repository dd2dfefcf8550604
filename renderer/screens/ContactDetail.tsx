import { useId } from 'react';
import type { Contact } from '../../shared/ipc';
import type { Media } from '../call/call-engine-types';
import { Avatar } from '../components/Avatar';
import { KeyIcon, PhoneIcon, ShieldCheckIcon, VideoIcon, WarningIcon } from '../components/Icons';
import { Presence } from '../components/Presence';
import { firstName } from '../components/sentence';

interface ContactDetailProps {
  contact: Contact;
  blockedBecause: string | undefined;
  onCall: (media: Media) => void;
  onShowSafetyNumber: () => void;
}

export function ContactDetail({ contact, blockedBecause, onCall, onShowSafetyNumber }: ContactDetailProps) {
  const ids = useId();
  const name = firstName(contact.displayName);
  return (
    <section className="pane-content detail" aria-labelledby={`${ids}-heading`}>
      <div className="detail-hero">
        <Avatar id={contact.id} name={contact.displayName} size="huge" />
        <h2 id={`${ids}-heading`} className="detail-name">
          {contact.displayName}
        </h2>
        <p className="detail-id">{contact.id}</p>
        <Presence presence={contact.presence} />
      </div>
      <div className="detail-actions">
        <button
          type="button"
          className="button button-primary"
          disabled={blockedBecause !== undefined}
          onClick={() => {
            onCall({ audio: true, video: true });
          }}
        >
          <VideoIcon /> Video call
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={blockedBecause !== undefined}
          onClick={() => {
            onCall({ audio: true, video: false });
          }}
        >
          <PhoneIcon /> Audio call
        </button>
      </div>
      {blockedBecause !== undefined && <p className="detail-blocked">{blockedBecause}</p>}
      <div className={`trust-card ${contact.keyChanged ? 'trust-card-warning' : contact.verified ? 'trust-card-ok' : ''}`}>
        {contact.pinLost ? (
          <>
            <p className="trust-title">
              <WarningIcon className="icon-warning" /> Verify {name} again
            </p>
            <p>
              Sealcall lost its record of {name}'s key: the file that kept it was damaged or changed outside Sealcall. Compare safety
              numbers with {name} again before you trust this key.
            </p>
          </>
        ) : contact.keyChanged ? (
          <>
            <p className="trust-title">
              <WarningIcon className="icon-warning" /> {name}'s safety number changed
            </p>
            <p>
              This happens when {name} sets up Sealcall again, for example on a new computer. It also happens if someone tries to
              listen in. Compare the new number with {name} before you trust it.
            </p>
          </>
        ) : contact.verified ? (
          <>
            <p className="trust-title">
              <ShieldCheckIcon className="icon-ok" /> Verified
            </p>
            <p>
              You compared safety numbers with {name}
              {contact.verifiedAt === null ? '' : ` on ${new Date(contact.verifiedAt).toLocaleDateString(undefined, { dateStyle: 'medium' })}`}.
              Nobody, not even your company's server, can listen in on your calls unnoticed.
            </p>
          </>
        ) : (
          <>
            <p className="trust-title">
              <KeyIcon className="icon-muted" /> Not verified yet
            </p>
            <p>Every call with {name} is end-to-end encrypted. Compare safety numbers once to be sure nobody is in the middle.</p>
          </>
        )}
        <button type="button" className="button button-secondary button-small" onClick={onShowSafetyNumber}>
          {contact.keyChanged ? 'Review new safety number' : 'View safety number'}
        </button>
      </div>
    </section>
  );
}
