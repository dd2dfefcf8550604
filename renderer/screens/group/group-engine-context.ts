import { createContext, useContext, useEffect, useState } from 'react';
import type { GroupCallEngine, GroupEngineState } from '../../call/group/group-engine-types';

/** The group call engine, handed in from main.tsx like the 1:1 one (see hooks/call-engine-context.ts). */
export const GroupEngineContext = createContext<GroupCallEngine | null>(null);

export function useGroupEngine(): GroupCallEngine | null {
  return useContext(GroupEngineContext);
}

/** The group engine's state, re-rendering on every change; null without an engine. */
export function useGroupEngineState(engine: GroupCallEngine | null): GroupEngineState | null {
  const [state, setState] = useState<GroupEngineState | null>(() => engine?.getState() ?? null);
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
