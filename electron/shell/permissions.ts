import { systemPreferences, type Session } from 'electron';
import {
  isDevicePermissionAllowed,
  isPermissionCheckAllowed,
  isPermissionRequestAllowed,
  macMediaAccessFor,
} from '../core/shell-policy/permissions';
import { logger, reason } from './log';

/** Feeds Electron's permission questions to core/shell-policy/permissions, and on macOS asks the OS too. */
export function installPermissionHandlers(ses: Session, rendererUrl: string, platform: string): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const ask = { permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame, mediaTypes };
    if (!isPermissionRequestAllowed(ask, rendererUrl)) {
      logger.info(`permission refused: ${permission}${details.isMainFrame ? '' : ' (subframe)'}`);
      callback(false);
      return;
    }
    if (permission !== 'media' || platform !== 'darwin') {
      callback(true);
      return;
    }
    askMacOs(macMediaAccessFor(mediaTypes)).then(callback, (error: unknown) => {
      logger.warn(`macOS media access failed: ${reason(error)}`);
      callback(false);
    });
  });

  ses.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    isPermissionCheckAllowed(
      {
        permission,
        requestingUrl: details.requestingUrl,
        isMainFrame: details.isMainFrame,
        mediaTypes: details.mediaType === undefined ? undefined : [details.mediaType],
      },
      rendererUrl,
    ),
  );

  ses.setDevicePermissionHandler(() => isDevicePermissionAllowed());
}

/**
 * macOS keeps its own camera and microphone consent on top of Chromium's: without it the device
 * opens black or silent. The OS prompts once; after a refusal only System Settings can change it.
 */
async function askMacOs(devices: ReadonlyArray<'camera' | 'microphone'>): Promise<boolean> {
  for (const device of devices) {
    if (systemPreferences.getMediaAccessStatus(device) === 'granted') continue;
    if (!(await systemPreferences.askForMediaAccess(device))) {
      logger.warn(`macOS refused ${device} access; it can be granted in System Settings > Privacy & Security`);
      return false;
    }
  }
  return true;
}
