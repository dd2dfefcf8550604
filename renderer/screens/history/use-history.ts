import type { HistoryView, SealcallBridge } from '../../../shared/ipc';
import { useHostValue, type HostValue } from '../../hooks/use-host-value';

const same = <T>(payload: T): T => payload;

function loadHistory(bridge: SealcallBridge) {
  return bridge.invoke('history.list');
}

/** The call history and its unseen-missed count, kept current by history.changed. */
export function useHistory(bridge: SealcallBridge): HostValue<HistoryView> {
  return useHostValue(bridge, 'history.changed', loadHistory, same);
}
