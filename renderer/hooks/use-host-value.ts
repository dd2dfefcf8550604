import { useEffect, useState } from 'react';
import type { EventChannel, EventOf, SealcallBridge } from '../../shared/ipc';
import { ipcErrorMessage } from './ipc-error';

export type HostValue<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly value: T }
  | { readonly status: 'failed'; readonly message: string };

/**
 * A value the host owns: asked for once, then kept current by its change event. An event that
 * arrives while the first answer is still on its way wins, since it is the newer of the two.
 * `fromEvent` returns undefined for an event that does not change this value.
 */
export function useHostValue<E extends EventChannel, T>(
  bridge: SealcallBridge,
  event: E,
  load: (bridge: SealcallBridge) => Promise<T>,
  fromEvent: (payload: EventOf<E>) => T | undefined,
): HostValue<T> {
  const [state, setState] = useState<HostValue<T>>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    let heardEvent = false;
    const unsubscribe = bridge.on(event, (payload) => {
      const value = fromEvent(payload);
      if (value === undefined) return;
      heardEvent = true;
      if (live) setState({ status: 'ready', value });
    });
    load(bridge).then(
      (value) => {
        if (live && !heardEvent) setState({ status: 'ready', value });
      },
      (error: unknown) => {
        if (live && !heardEvent) setState({ status: 'failed', message: ipcErrorMessage(error, 'no answer from Sealcall') });
      },
    );
    return () => {
      live = false;
      unsubscribe();
    };
    // load and fromEvent are module-level functions at every call site: only the bridge and the event
    // decide what is subscribed.
  }, [bridge, event]);
  return state;
}
