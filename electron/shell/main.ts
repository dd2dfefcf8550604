import { app, powerMonitor, session, type BrowserWindow } from 'electron';
import { identityStatusSchema, type IpcResult } from '../../shared/ipc';
import { describeLinkForLog, type SealcallLink } from '../core/deep-link';
import { createHost, type Host } from '../core/host';
import { APP_ID } from '../core/shell-policy/app-identity';
import { callActivity, type CallActivity } from '../core/shell-policy/call-activity';
import { createHoldingQueue } from '../core/shell-policy/holding-queue';
import { shellHooksOf, type ShellHooks } from '../core/shell-policy/shell-hooks';
import type { Presence } from '../core/shell-policy/tray-menu';
import { updateFeedFor } from '../core/shell-policy/update-feed';
import { deliverLaunchLink, listenForDeepLinks, registerLinkScheme } from './deep-links';
import { listCaptureSources } from './capture-sources';
import { installDisplayMediaHandler } from './display-media';
import { hardenApp } from './hardening';
import { bridgeHostToWindow } from './ipc-bridge';
import { logger, reason, startLog } from './log';
import { createNotifySink } from './notify';
import { preloadPath, rendererUrl } from './paths';
import { createDisplayKeeper } from './power';
import { guardQuit } from './quit-guard';
import { createOsSealer } from './sealer';
import { createTray, type TrayControls } from './tray';
import { startUpdates } from './updates';
import { createMainWindow, showWindow } from './window';

/*
 * The Electron entry point: lifecycle and wiring only. Every decision lives in electron/core
 * (core/shell-policy for the shell's own), which the e2e harness runs without Electron.
 */

// Honour Chromium's --user-data-dir switch for our own data too, so that test runs and second
// profiles each get their own keys and their own single-instance lock. Must precede the lock.
const userDataSwitch = app.commandLine.getSwitchValue('user-data-dir');
if (userDataSwitch !== '') app.setPath('userData', userDataSwitch);

app.enableSandbox();
// Windows shows toasts only for an app user model id matching the installer's shortcut.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

if (!app.requestSingleInstanceLock()) {
  // Another Sealcall already runs for this profile; it gets our argv, and so any link, through
  // 'second-instance'.
  app.quit();
} else {
  startApp();
}

/** How long quitting waits for the core to close before exiting anyway. */
const QUIT_GRACE_MS = 3000;

function startApp(): void {
  startLog(app.getPath('logs'), { console: !app.isPackaged });
  const devTools = !app.isPackaged;
  const platform = process.platform;

  let window: BrowserWindow | null = null;
  let host: Host | null = null;
  let hooks: ShellHooks = {};
  let tray: TrayControls | null = null;
  let presence: Presence = 'offline';
  let activity: CallActivity = callActivity(null);
  const display = createDisplayKeeper();

  async function invoke(channel: string, payload: unknown): Promise<void> {
    if (host === null) throw new Error('the Sealcall host is not running');
    const result: IpcResult = await host.invoke(channel, payload);
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.message}`);
  }

  // Links can arrive before 'ready' (macOS open-url, the launch argv); they wait for the host.
  const links = createHoldingQueue<SealcallLink>(8);
  listenForDeepLinks(
    (link) => {
      links.push(link);
    },
    () => {
      showWindow(window);
    },
  );
  deliverLaunchLink(process.argv, (link) => {
    links.push(link);
  });

  const quit = guardQuit({
    activity: () => activity,
    window: () => window,
    hangUp: (callId) => invoke('call.hangup', { callId }),
  });

  const refreshTray = (): void => {
    tray?.update(presence, activity);
  };

  app
    .whenReady()
    .then(async () => {
      registerLinkScheme();
      hardenApp({ rendererUrl, devTools, platform });

      const osSealer = await createOsSealer(platform).catch((error: unknown) => {
        logger.warn(`OS keychain check failed, falling back to a passphrase: ${reason(error)}`);
        return null;
      });
      const notify = createNotifySink({
        platform,
        windowState: () => ({
          visible: window !== null && !window.isDestroyed() && window.isVisible(),
          focused: window !== null && !window.isDestroyed() && window.isFocused(),
        }),
        showWindow: () => {
          showWindow(window);
        },
        accept: (callId) => {
          if (hooks.acceptFromNotification === undefined) logger.warn('notification accept: the host has no acceptFromNotification yet; the window is shown instead');
          else hooks.acceptFromNotification(callId);
        },
        decline: (callId) => {
          invoke('call.decline', { callId }).catch((error: unknown) => {
            logger.warn(`declining from the notification failed: ${reason(error)}`);
          });
        },
        presence: (state) => {
          presence = state;
          refreshTray();
        },
      });

      const running = createHost({
        kind: 'electron',
        version: app.getVersion(),
        dataDir: app.getPath('userData'),
        osSealer,
        notify,
        captureSources: listCaptureSources,
      });
      host = running;
      hooks = shellHooksOf(running);
      // The core runs from launch, window or not, so the server connection is up and calls ring.
      running.start().then(
        // The update feed comes from the enterprise config, which the core has read by now. A
        // refused config also goes to the log, where the admin who wrote it will look.
        async () => {
          const result = await running.invoke('identity.status', undefined);
          const status = result.ok ? identityStatusSchema.safeParse(result.value) : undefined;
          if (status?.data?.state === 'error' && status.data.code === 'config-invalid') {
            logger.error(`the enterprise config is refused, so Sealcall will not start (updates included): ${status.data.message}`);
            return;
          }
          startUpdates(updateFeedFor({ updateUrl: hooks.updateFeedUrl?.(), updatePublicKey: hooks.updatePublicKey?.(), isPackaged: app.isPackaged }));
        },
        (error: unknown) => {
          logger.error(`the Sealcall core failed to start: ${reason(error)}`);
        },
      );

      installDisplayMediaHandler(session.defaultSession, rendererUrl, () => window, () => running.takeScreenShare());
      window = createMainWindow({ rendererUrl, preloadPath, devTools, isQuitting: () => quit.isQuitting() });
      const disconnect = bridgeHostToWindow(running, window, rendererUrl);
      window.webContents.on('render-process-gone', (_event, details) => {
        logger.warn(`the window's renderer is gone (${details.reason}): its call cannot go on`);
        running.rendererGone();
      });

      tray = createTray({
        show: () => {
          showWindow(window);
        },
        'hang-up': () => {
          const callId = activity.active?.callId;
          if (callId !== undefined) {
            invoke('call.hangup', { callId }).catch((error: unknown) => {
              logger.warn(`hang-up from the tray failed: ${reason(error)}`);
            });
          }
        },
        quit: () => {
          app.quit();
        },
      });
      refreshTray();

      running.on('call.event', (event) => {
        if (event.kind !== 'view') return;
        activity = callActivity(event.view);
        display.set(activity.keepDisplayAwake);
        refreshTray();
      });

      links.attach((link) => {
        showWindow(window);
        logger.info(`deep link: ${describeLinkForLog(link)}`);
        if (hooks.handleDeepLink === undefined) logger.warn('deep link not delivered: the host has no handleDeepLink');
        else hooks.handleDeepLink(link);
      });

      powerMonitor.on('resume', () => {
        logger.info('resumed from sleep');
        hooks.reconnectNow?.();
      });
      app.on('activate', () => {
        showWindow(window);
      });
      app.on('window-all-closed', () => {
        // Closing the window only hides it, so this happens when quitting.
        app.quit();
      });
      let closing = false;
      app.on('will-quit', (event) => {
        if (closing) return;
        closing = true;
        // Give the core a moment to say goodbye to the server and finish writing its files.
        event.preventDefault();
        disconnect();
        display.set(false);
        tray?.destroy();
        const grace = new Promise<void>((resolve) => setTimeout(resolve, QUIT_GRACE_MS).unref());
        void Promise.race([running.close(), grace])
          .catch((error: unknown) => {
            logger.warn(`closing the core failed: ${reason(error)}`);
          })
          .finally(() => {
            app.exit(0);
          });
      });

    })
    .catch((error: unknown) => {
      logger.error(`Sealcall failed to start: ${reason(error)}`);
      app.exit(1);
    });
}
