import { useEffect, useRef } from 'react';
import { currentPlatform, isTypingTarget, matchShortcut, type ShortcutAction } from './shortcuts';

/** What each shortcut does now; an action left undefined does not apply at the moment (no call, not ringing). */
export type ShortcutHandlers = Partial<Record<ShortcutAction, () => void>>;

/**
 * Listens for the app's shortcuts on the whole window. Handlers are read through a ref, so the
 * listener is added once and always sees the current call.
 */
export function useShortcuts(handlers: ShortcutHandlers): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const platform = currentPlatform();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat || isTypingTarget(event.target)) return;
      const action = matchShortcut(event, platform);
      if (action === null) return;
      const handler = latest.current[action];
      if (handler === undefined) return;
      event.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
    };
  }, []);
}
