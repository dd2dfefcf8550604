import { useEffect, useRef } from 'react';
import type { EventChannel, EventOf, SealcallBridge } from '../../shared/ipc';

/**
 * Subscribes to one host event for the component's lifetime. The listener is read through a ref,
 * so a new closure on every render does not resubscribe (and cannot miss an event in between).
 */
export function useBridgeEvent<E extends EventChannel>(bridge: SealcallBridge, event: E, listener: (payload: EventOf<E>) => void): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(
    () =>
      bridge.on(event, (payload) => {
        latest.current(payload);
      }),
    [bridge, event],
  );
}
