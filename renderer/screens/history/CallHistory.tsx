import { useEffect, useId } from 'react';
import type { Contact, HistoryItem, HistoryView, SealcallBridge } from '../../../shared/ipc';
import { Avatar } from '../../components/Avatar';
import { PhoneIcon } from '../../components/Icons';
import { ClockIcon, IncomingIcon, MissedIcon, OutgoingIcon } from '../../components/NavIcons';
import { sentence } from '../../components/sentence';
import { describeIpcError } from '../../hooks/ipc-error';
import type { HostValue } from '../../hooks/use-host-value';
import { useNow } from '../../hooks/use-now';
import { formatFullTime, formatWhen, historyKind, KIND_TEXT, outcomeText, type HistoryKind } from './history-text';
import './history.css';

interface CallHistoryProps {
  bridge: SealcallBridge;
  history: HostValue<HistoryView>;
  contacts: readonly Contact[];
  /** Why no call can be placed now (offline, in a call), or undefined. */
  blockedBecause: string | undefined;
  /** Calls back through the same flow as the contact list, so the key-changed gate applies. */
  onCallBack: (contact: Contact) => void;
  /** Reports a failure the user should see (marking calls as seen). */
  onError: (text: string) => void;
}

const KIND_ICON: Record<HistoryKind, typeof PhoneIcon> = {
  outgoing: OutgoingIcon,
  incoming: IncomingIcon,
  missed: MissedIcon,
};

/** Calls made, received and missed, newest first, each with "Call back". */
export function CallHistory({ bridge, history, contacts, blockedBecause, onCallBack, onError }: CallHistoryProps) {
  const ids = useId();
  const now = useNow(true, 60_000);
  const unseen = history.status === 'ready' ? history.value.unseenMissed : 0;

  // Looking at the list is seeing the missed calls: the badge clears, here and in the core.
  useEffect(() => {
    if (unseen === 0) return;
    bridge.invoke('history.markSeen').catch((error: unknown) => {
      onError(`Couldn't mark missed calls as seen. ${sentence(describeIpcError(error, 'It failed.').message)}`);
    });
  }, [bridge, unseen, onError]);

  return (
    <section className="history" aria-labelledby={`${ids}-heading`}>
      <div className="history-head">
        <h2 id={`${ids}-heading`} className="history-title">
          Calls
        </h2>
      </div>
      {history.status === 'loading' && (
        <p className="history-loading" role="status">
          Loading your calls…
        </p>
      )}
      {history.status === 'failed' && (
        <p className="notice notice-danger history-failed" role="alert">
          Your call history could not be loaded: {history.message}
        </p>
      )}
      {history.status === 'ready' && history.value.items.length === 0 && (
        <div className="history-empty">
          <ClockIcon className="empty-icon" />
          <p className="empty-title">No calls yet</p>
          <p className="empty-text">Calls you make, receive and miss show up here, so you can call back in one click.</p>
        </div>
      )}
      {history.status === 'ready' && history.value.items.length > 0 && (
        <ul className="history-list" aria-label="Call history">
          {history.value.items.map((item) => (
            <HistoryRow
              key={item.callId}
              item={item}
              now={now}
              contact={contacts.find((contact) => contact.id === item.peerId)}
              blockedBecause={blockedBecause}
              onCallBack={onCallBack}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

interface HistoryRowProps {
  item: HistoryItem;
  now: number;
  contact: Contact | undefined;
  blockedBecause: string | undefined;
  onCallBack: (contact: Contact) => void;
}

function HistoryRow({ item, now, contact, blockedBecause, onCallBack }: HistoryRowProps) {
  const kind = historyKind(item);
  const KindIcon = KIND_ICON[kind];
  const name = contact?.displayName ?? item.peerName;
  const cannotCall = contact === undefined ? `${name} is no longer in your contacts.` : blockedBecause;
  const outcome = outcomeText(item);
  return (
    <li className={kind === 'missed' ? 'history-row history-row-missed' : 'history-row'}>
      <Avatar id={item.peerId} name={name} />
      <span className="history-text">
        <span className="history-name">{name}</span>
        <span className="history-sub">
          <span className={`history-kind history-kind-${kind}`}>
            <KindIcon className="icon-small" />
            {KIND_TEXT[kind]}
          </span>
          {/* The kind already says "Missed"; the outcome adds what else happened. */}
          {item.outcome !== 'missed' && <span className="history-outcome">{outcome}</span>}
        </span>
      </span>
      <time className="history-when" dateTime={new Date(item.startedAt).toISOString()} title={formatFullTime(item.startedAt)}>
        {formatWhen(item.startedAt, now)}
      </time>
      <button
        type="button"
        className="button button-secondary button-small history-call-back"
        aria-label={`Call back ${name}`}
        title={cannotCall ?? 'Audio call'}
        disabled={cannotCall !== undefined}
        onClick={() => {
          if (contact !== undefined) onCallBack(contact);
        }}
      >
        <PhoneIcon className="icon-small" />
        Call back
      </button>
    </li>
  );
}
