import { app, type BrowserWindow } from 'electron';
import { createHost } from '../core/host';
import { hardenApp } from './hardening';
import { bridgeHostToWindow } from './ipc-bridge';
import { preloadPath, rendererUrl } from './paths';
import { createMainWindow } from './window';

/*
 * The Electron entry point: lifecycle only. Everything the app decides lives in electron/core,
 * which the e2e harness runs without Electron.
 */

// Honour Chromium's --user-data-dir switch for our own data too, so that test runs and second
// profiles each get their own keys and their own single-instance lock. Must precede the lock.
const userDataSwitch = app.commandLine.getSwitchValue('user-data-dir');
if (userDataSwitch !== '') app.setPath('userData', userDataSwitch);

app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another Sealcall already runs for this profile; it is told through 'second-instance'.
  app.quit();
} else {
  let window: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (window === null || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  void app.whenReady().then(() => {
    hardenApp(rendererUrl);
    const host = createHost({ kind: 'electron', version: app.getVersion(), dataDir: app.getPath('userData') });
    window = createMainWindow(rendererUrl, preloadPath);
    const disconnect = bridgeHostToWindow(host, window, rendererUrl);

    app.on('window-all-closed', () => {
      app.quit();
    });
    app.once('will-quit', () => {
      disconnect();
      void host.close();
    });
  });
}
