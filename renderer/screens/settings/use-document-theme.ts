import { useEffect } from 'react';
import type { SealcallBridge } from '../../../shared/ipc';
import { useSettings } from '../../hooks/host-values';

/**
 * Puts the theme setting on <html data-theme>, which styles.css honours over the OS scheme;
 * 'system' removes it, so prefers-color-scheme decides again.
 */
export function useDocumentTheme(bridge: SealcallBridge): void {
  const settings = useSettings(bridge);
  const theme = settings.status === 'ready' ? settings.value.values.theme : 'system';
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset['theme'];
    else root.dataset['theme'] = theme;
  }, [theme]);
}
