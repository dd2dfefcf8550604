import { isRendererUrl } from '../renderer-url';

/*
 * Which web permissions our renderer gets. Deny by default: only our own top-level renderer
 * document is ever granted anything, and only what a call needs:
 * - 'media' (camera and microphone), and nothing beyond audio and video capture;
 * - 'display-capture' for a screen share, whose source is then chosen in our own picker (see
 *   display-media.ts), never by the page.
 * Notifications come from the main process, not the page, so the page never needs that one.
 */

export interface PermissionAsk {
  /** Electron's permission name, e.g. 'media', 'notifications', 'display-capture'. */
  readonly permission: string;
  /** The document asking; undefined when Electron could not say, which is refused. */
  readonly requestingUrl: string | undefined;
  readonly isMainFrame: boolean;
  /**
   * For 'media' requests: the devices asked for (Electron's details.mediaTypes). For checks:
   * details.mediaType as a one-element list. Undefined when Electron gave none.
   */
  readonly mediaTypes?: readonly string[] | undefined;
}

const CAPTURE_TYPES: ReadonlySet<string> = new Set(['audio', 'video']);

function isOurMainFrame(ask: PermissionAsk, rendererUrl: string): boolean {
  return ask.isMainFrame && ask.requestingUrl !== undefined && isRendererUrl(ask.requestingUrl, rendererUrl);
}

/** setPermissionRequestHandler: the page asks for a permission it does not have yet. */
export function isPermissionRequestAllowed(ask: PermissionAsk, rendererUrl: string): boolean {
  if (!isOurMainFrame(ask, rendererUrl)) return false;
  switch (ask.permission) {
    case 'media':
      return onlyCapture(ask.mediaTypes, { allowUnspecified: false });
    case 'display-capture':
      return true;
    default:
      return false;
  }
}

/**
 * setPermissionCheckHandler: the page (or Chromium on its behalf, e.g. for device labels in
 * enumerateDevices) asks whether it already has a permission. Same table as requests.
 */
export function isPermissionCheckAllowed(ask: PermissionAsk, rendererUrl: string): boolean {
  if (!isOurMainFrame(ask, rendererUrl)) return false;
  switch (ask.permission) {
    case 'media':
      return onlyCapture(ask.mediaTypes, { allowUnspecified: true });
    case 'display-capture':
      return true;
    default:
      return false;
  }
}

function onlyCapture(mediaTypes: readonly string[] | undefined, options: { allowUnspecified: boolean }): boolean {
  if (mediaTypes === undefined || mediaTypes.length === 0) return options.allowUnspecified;
  return mediaTypes.every((type) => CAPTURE_TYPES.has(type));
}

/** What macOS must be asked for before Chromium can open a device (systemPreferences.askForMediaAccess). */
export function macMediaAccessFor(mediaTypes: readonly string[] | undefined): Array<'camera' | 'microphone'> {
  const wanted: Array<'camera' | 'microphone'> = [];
  if (mediaTypes?.includes('audio') === true) wanted.push('microphone');
  if (mediaTypes?.includes('video') === true) wanted.push('camera');
  return wanted;
}

/** Device APIs (WebHID, WebUSB, Web Serial, Bluetooth): nothing in a call uses them. */
export function isDevicePermissionAllowed(): boolean {
  return false;
}
