import { useEffect, useState } from 'react';
import type { ConnectionState } from '../../shared/ipc';
import { useNow } from '../hooks/use-now';
import { sentence } from './sentence';

/** When the next reconnection is due, fixed at the moment the state arrived. */
function useRetryDeadline(connection: ConnectionState): number | null {
  const [deadline, setDeadline] = useState<number | null>(null);
  useEffect(() => {
    setDeadline(connection.state === 'offline' && connection.retryInMs !== undefined ? Date.now() + connection.retryInMs : null);
  }, [connection]);
  return deadline;
}

export function retryText(deadline: number | null, now: number): string {
  if (deadline === null) return 'Reconnecting automatically';
  const seconds = Math.ceil((deadline - now) / 1000);
  return seconds <= 0 ? 'Reconnecting now…' : `Next try in ${seconds} s`;
}

/** The compact status pill in the header: a dot and a word, with the detail in the banner below. */
export function ConnectionPill({ connection }: { connection: ConnectionState }) {
  const text =
    connection.state === 'refused' && connection.code === 'unsupported-version'
      ? 'Update needed'
      : { online: 'Online', connecting: 'Connecting…', offline: 'Offline', refused: 'Not signed in' }[connection.state];
  return (
    <span className={`connection-pill connection-${connection.state}`} role="status" aria-label={`Connection: ${text}`}>
      <span className="connection-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** What an offline or refused connection means for the user, and what happens next. */
export function ConnectionBanner({ connection, serverUrl, onRetry }: { connection: ConnectionState; serverUrl: string; onRetry?: () => void }) {
  const deadline = useRetryDeadline(connection);
  const now = useNow(connection.state === 'offline');
  if (connection.state === 'offline') {
    return (
      <div className="banner banner-warning" role="status">
        <strong>You're offline.</strong> Sealcall can't reach {hostOf(serverUrl)}, so calls can't be placed or received.{' '}
        <span className="banner-detail">{retryText(deadline, now)}.</span>
        {onRetry !== undefined && (
          <button type="button" className="button button-secondary button-small banner-action" onClick={onRetry}>
            Try now
          </button>
        )}
      </div>
    );
  }
  if (connection.state === 'refused' && connection.code === 'unsupported-version') {
    return (
      <div className="banner banner-danger" role="alert">
        <strong>Update Sealcall.</strong> This app is too old (or too new) for your company's server at {hostOf(serverUrl)}, so
        calls can't be placed or received. Install the version IT provides, then open Sealcall again.
      </div>
    );
  }
  if (connection.state === 'refused') {
    return (
      <div className="banner banner-danger" role="alert">
        <strong>The server refused this computer.</strong> {sentence(connection.reason ?? 'it gave no reason')} If you should still
        have access, ask IT for a new enrollment link.
      </div>
    );
  }
  return null;
}

function hostOf(serverUrl: string): string {
  try {
    return new URL(serverUrl).host;
  } catch {
    return 'the Sealcall server';
  }
}
