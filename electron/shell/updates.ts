import { autoUpdater } from 'electron-updater';
import type { UpdateFeed } from '../core/shell-policy/update-feed';
import { logger, reason } from './log';

/** How often a long-running app looks for a new version. */
const CHECK_EVERY_MS = 4 * 60 * 60 * 1000;

/**
 * electron-updater on the generic provider, pointed at the URL from the enterprise config
 * (core/shell-policy/update-feed decides whether there is one). New versions download in the
 * background and install when the app quits; the OS notification says when one is ready.
 */
export function startUpdates(feed: UpdateFeed): void {
  if (feed.kind === 'off') {
    logger.info(`updates: off (${feed.reason})`);
    return;
  }
  autoUpdater.logger = logger;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.setFeedURL({ provider: 'generic', url: feed.url });
  logger.info(`updates: checking ${feed.url}`);
  const check = (): void => {
    autoUpdater.checkForUpdatesAndNotify().catch((error: unknown) => {
      logger.warn(`update check failed: ${reason(error)}`);
    });
  };
  check();
  setInterval(check, CHECK_EVERY_MS).unref();
}
