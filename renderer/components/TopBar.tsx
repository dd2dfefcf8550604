import type { ConnectionState, IdentityStatus } from '../../shared/ipc';
import { ShieldMark } from '../ShieldMark';
import { Avatar } from './Avatar';
import { ConnectionPill } from './ConnectionStatus';

type ReadyIdentity = Extract<IdentityStatus, { state: 'ready' }>;

export function TopBar({ identity, connection }: { identity: ReadyIdentity; connection: ConnectionState | null }) {
  return (
    <header className="topbar">
      <div className="topbar-brand">
        <ShieldMark />
        <h1 className="topbar-name">Sealcall</h1>
      </div>
      <div className="topbar-me">
        {connection !== null && <ConnectionPill connection={connection} />}
        <span className="topbar-account">
          <Avatar id={identity.userId} name={identity.displayName} size="small" />
          <span className="topbar-account-text">
            <span className="topbar-account-name">{identity.displayName}</span>
            <span className="topbar-account-id">{identity.userId}</span>
          </span>
        </span>
      </div>
    </header>
  );
}
