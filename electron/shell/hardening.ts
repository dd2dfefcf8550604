import { app, session, type WebContents } from 'electron';
import { policyHeadersFor } from '../core/shell-policy/csp';
import { isDownloadAllowed, isNavigationAllowed, isRequestAllowed, windowOpenDecision } from '../core/shell-policy/navigation';
import { logger } from './log';
import { installPermissionHandlers } from './permissions';

export interface HardeningOptions {
  readonly rendererUrl: string;
  readonly devTools: boolean;
  readonly platform: string;
}

/**
 * App-wide guards for every web contents, including ones we did not mean to create. Every decision
 * is made in core/shell-policy; this only wires Electron's hooks to it. Call once, when the app is
 * ready and before the first window.
 */
export function hardenApp(options: HardeningOptions): void {
  const { rendererUrl } = options;
  app.on('web-contents-created', (_event, contents) => {
    lockDown(contents, rendererUrl);
  });

  const ses = session.defaultSession;
  installPermissionHandlers(ses, rendererUrl, options.platform);

  // The renderer reaches the outside world only through the main process and WebRTC, which this
  // filter does not see.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isRequestAllowed(details.url, rendererUrl, { devTools: options.devTools });
    if (!allowed) logger.warn(`request refused: ${schemeOf(details.url)} ${details.resourceType}`);
    callback({ cancel: !allowed });
  });

  // The same policy as the page's meta tag, also as a header on every file of ours: the worker's
  // script takes its policy from its own response.
  ses.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = policyHeadersFor(details.url, rendererUrl, details.responseHeaders);
    callback(responseHeaders === undefined ? {} : { responseHeaders });
  });

  ses.on('will-download', (event) => {
    if (!isDownloadAllowed()) {
      logger.warn('download refused');
      event.preventDefault();
    }
  });
}

function lockDown(contents: WebContents, rendererUrl: string): void {
  contents.setWindowOpenHandler(() => {
    logger.warn('window.open refused');
    return windowOpenDecision();
  });
  // will-navigate is the main frame only; will-frame-navigate also covers subframes. Both are kept
  // so that a change in either event's semantics still leaves one guard in place.
  contents.on('will-navigate', (event) => {
    if (!isNavigationAllowed({ url: event.url, isMainFrame: true }, rendererUrl)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isNavigationAllowed({ url: event.url, isMainFrame: event.isMainFrame }, rendererUrl)) {
      logger.warn(`navigation refused: ${schemeOf(event.url)} in ${event.isMainFrame ? 'the main frame' : 'a subframe'}`);
      event.preventDefault();
    }
  });
  contents.on('will-redirect', (event) => {
    if (!isNavigationAllowed({ url: event.url, isMainFrame: event.isMainFrame }, rendererUrl)) {
      logger.warn(`redirect refused: ${schemeOf(event.url)}`);
      event.preventDefault();
    }
  });
  contents.on('will-attach-webview', (event) => {
    logger.warn('webview refused');
    event.preventDefault();
  });
}

/** Logs name only the scheme: a refused URL may carry something private in its path or query. */
function schemeOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '(not a URL)';
  }
}
