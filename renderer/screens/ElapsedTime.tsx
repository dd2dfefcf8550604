import { useNow } from '../hooks/use-now';
import { formatElapsed } from './call-status-text';

/**
 * The time since `since` (ms since the epoch), ticking every second on its own: the call screen
 * around it is not rendered again each second for its clock.
 */
export function ElapsedTime({ since }: { since: number }) {
  const now = useNow(true);
  return <>{formatElapsed(now - since)}</>;
}
