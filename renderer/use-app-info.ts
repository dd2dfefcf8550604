import { useEffect, useState } from 'react';
import type { ResponseOf, SealcallBridge } from '../shared/ipc';

export type AppInfoState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly info: ResponseOf<'app.info'> }
  | { readonly status: 'failed'; readonly message: string };

/** Asks the host who it is, once per bridge. */
export function useAppInfo(bridge: SealcallBridge): AppInfoState {
  const [state, setState] = useState<AppInfoState>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    bridge.invoke('app.info').then(
      (info) => {
        if (current) setState({ status: 'ready', info });
      },
      (error: unknown) => {
        const message = error instanceof Error || hasMessage(error) ? error.message : 'no answer from the app';
        if (current) setState({ status: 'failed', message });
      },
    );
    return () => {
      current = false;
    };
  }, [bridge]);
  return state;
}

function hasMessage(value: unknown): value is { message: string } {
  return typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string';
}
