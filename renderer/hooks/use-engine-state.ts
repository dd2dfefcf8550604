import { useEffect, useState } from 'react';
import type { CallEngine, CallEngineState } from '../call/call-engine-types';

/**
 * The engine's state, re-rendering on every change; null without an engine. Kept from what the
 * engine pushes rather than through useSyncExternalStore, which would loop if getState() ever
 * returned a fresh object per call.
 */
export function useEngineState(engine: CallEngine | null): CallEngineState | null {
  const [state, setState] = useState<CallEngineState | null>(() => engine?.getState() ?? null);
  useEffect(() => {
    if (engine === null) {
      setState(null);
      return;
    }
    setState(engine.getState());
    return engine.subscribe(setState);
  }, [engine]);
  return state;
}
