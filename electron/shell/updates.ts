import { app, Notification } from 'electron';
import { autoUpdater } from 'electron-updater';
import type { UpdateFeed } from '../core/shell-policy/update-feed';
import { createUpdateGate } from '../core/updates/update-gate';
import { logger, reason } from './log';

/** How often a long-running app looks for a new version. */
const CHECK_EVERY_MS = 4 * 60 * 60 * 1000;

/**
 * electron-updater on the generic provider, pointed at the URL from the enterprise config, with
 * every step held by core/updates/update-gate: nothing downloads until the company's signed
 * manifest names the offered version as newer, and nothing installs until the downloaded file
 * matches that manifest's size and SHA-512 (docs/deployment.md, "Signed updates"). electron-updater
 * therefore never downloads or installs on its own: autoDownload and autoInstallOnAppQuit stay off
 * until the gate has said yes.
 */
export function startUpdates(feed: UpdateFeed): void {
  if (feed.kind === 'off') {
    logger.info(`updates: off (${feed.reason})`);
    return;
  }
  const gate = createUpdateGate({ feedUrl: feed.url, publicKey: feed.publicKey, runningVersion: app.getVersion() }, logger);
  autoUpdater.logger = logger;
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.setFeedURL({ provider: 'generic', url: feed.url });
  logger.info(`updates: checking ${feed.url}, releases signed by the key in the enterprise config only`);

  let verified: string | undefined;
  const check = (): void => {
    autoUpdater.checkForUpdates().catch((error: unknown) => {
      logger.warn(`update check failed: ${reason(error)}`);
    });
  };
  const timer = setInterval(check, CHECK_EVERY_MS);
  timer.unref();

  autoUpdater.on('update-available', (info) => {
    if (verified !== undefined) return;
    void gate
      .approveRelease(info.version)
      .then((approved) => (approved ? autoUpdater.downloadUpdate().then(() => undefined) : undefined))
      .catch((error: unknown) => {
        logger.warn(`update download failed: ${reason(error)}`);
      });
  });

  autoUpdater.on('update-downloaded', (event) => {
    void gate.approveDownload(event.downloadedFile).then((approved) => {
      if (!approved || verified === event.downloadedFile) return;
      verified = event.downloadedFile;
      // One verified update waits for the next quit; looking for others meanwhile would only
      // swap the file under it.
      clearInterval(timer);
      if (process.platform === 'darwin') {
        // Squirrel.Mac installs only what electron-updater hands it, which it does on a download
        // finished with autoInstallOnAppQuit on: the same (cached, just verified) file again.
        autoUpdater.autoInstallOnAppQuit = true;
        autoUpdater.downloadUpdate().catch((error: unknown) => {
          logger.warn(`handing the verified update to Squirrel.Mac failed: ${reason(error)}`);
        });
      }
      if (Notification.isSupported()) {
        new Notification({ title: 'Sealcall update ready', body: `Version ${event.version} installs when you quit Sealcall.` }).show();
      }
    });
  });

  // The same moment electron-updater's own install-on-quit uses, but only for a verified file.
  app.once('quit', (_event, exitCode) => {
    if (verified === undefined || exitCode !== 0 || process.platform === 'darwin') return;
    logger.info('updates: installing the verified update on quit');
    autoUpdater.quitAndInstall(true, false);
  });

  check();
}
