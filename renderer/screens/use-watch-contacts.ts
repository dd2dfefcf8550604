import { useEffect } from 'react';
import { MAX_WATCHED_CONTACTS, type SealcallBridge } from '../../shared/ipc';

/**
 * Tells the core which contacts are on screen (the open one first, then the rows in view), so it
 * follows their presence. Sent again only when the set changes.
 */
export function useWatchContacts(bridge: SealcallBridge, openId: string | null, rowIds: readonly string[]): void {
  const ids = [...new Set([...(openId === null ? [] : [openId]), ...rowIds])].slice(0, MAX_WATCHED_CONTACTS);
  const key = ids.join('\n');
  useEffect(() => {
    const userIds = key === '' ? [] : key.split('\n');
    // Before the identity is open there is nothing to follow; the next change sends the set again.
    bridge.invoke('contacts.watch', { userIds }).catch(() => undefined);
  }, [bridge, key]);
}
