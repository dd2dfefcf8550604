import { createContext, useContext } from 'react';
import type { CallEngine } from '../call/call-engine-types';

/**
 * The call engine, handed in from main.tsx rather than imported by the screens: the screens stay
 * testable with any engine, and render (without calling) when none could be created.
 */
export const CallEngineContext = createContext<CallEngine | null>(null);

export function useCallEngine(): CallEngine | null {
  return useContext(CallEngineContext);
}
