import { BrowserWindow } from 'electron';
import { windowCloseDecision } from '../core/shell-policy/call-activity';
import { webPreferencesFor } from '../core/shell-policy/web-preferences';

export interface MainWindowOptions {
  readonly rendererUrl: string;
  readonly preloadPath: string;
  readonly devTools: boolean;
  /** True once the app is really quitting; until then closing the window only hides it. */
  readonly isQuitting: () => boolean;
}

/** The one app window, with core/shell-policy's web preferences; it shows only our built renderer. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: 'Sealcall',
    show: false,
    webPreferences: webPreferencesFor(options.preloadPath, { devTools: options.devTools }),
  });
  // Showing on ready-to-show avoids a white flash before the dark theme's first paint.
  window.once('ready-to-show', () => {
    window.show();
  });
  window.on('close', (event) => {
    if (windowCloseDecision({ quitting: options.isQuitting() }) === 'hide') {
      event.preventDefault();
      window.hide();
    }
  });
  void window.loadURL(options.rendererUrl);
  return window;
}

export function showWindow(window: BrowserWindow | null): void {
  if (window === null || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
