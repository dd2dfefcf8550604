import { BrowserWindow } from 'electron';

/** The one app window, with every Electron safety switch on; it shows only our built renderer. */
export function createMainWindow(rendererUrl: string, preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: 'Sealcall',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  // Showing on ready-to-show avoids a white flash before the dark theme's first paint.
  window.once('ready-to-show', () => {
    window.show();
  });
  void window.loadURL(rendererUrl);
  return window;
}
