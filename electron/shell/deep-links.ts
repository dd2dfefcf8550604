import path from 'node:path';
import { app, dialog } from 'electron';
import { DeepLinkError, linkFromArgv, parseSealcallLink, type SealcallLink } from '../core/deep-link';
import { LINK_SCHEME } from '../core/shell-policy/app-identity';
import { logger, reason } from './log';

/**
 * sealcall:// links from the OS. macOS delivers them with 'open-url' (also for the link that
 * launched the app, before 'ready'); Windows and Linux start a second instance with the link on
 * its command line, which the single-instance lock turns into 'second-instance' here, or, for the
 * first launch, leave it in our own argv. Every link is parsed by core/deep-link; a bad one is
 * explained to the user and never acted on.
 */
export function listenForDeepLinks(deliver: (link: SealcallLink) => void, onSecondInstance: () => void): void {
  app.on('open-url', (event, url) => {
    event.preventDefault();
    accept(() => parseSealcallLink(url), deliver);
  });
  app.on('second-instance', (_event, argv) => {
    onSecondInstance();
    accept(() => linkFromArgv(argv), deliver);
  });
}

/** The link this process was launched with on Windows and Linux, delivered like any other. */
export function deliverLaunchLink(argv: readonly string[], deliver: (link: SealcallLink) => void): void {
  accept(() => linkFromArgv(argv), deliver);
}

/**
 * Registers Sealcall as the sealcall:// handler for this user. Installers register it system-wide
 * (build/electron-builder.yml); this covers development runs, where Electron needs the app path.
 */
export function registerLinkScheme(): void {
  const devAppPath = process.defaultApp ? process.argv[1] : undefined;
  const registered =
    devAppPath === undefined
      ? app.setAsDefaultProtocolClient(LINK_SCHEME)
      : app.setAsDefaultProtocolClient(LINK_SCHEME, process.execPath, [path.resolve(devAppPath)]);
  if (!registered) logger.warn(`could not register as the ${LINK_SCHEME}:// handler`);
}

function accept(parse: () => SealcallLink | null, deliver: (link: SealcallLink) => void): void {
  let link: SealcallLink | null;
  try {
    link = parse();
  } catch (error) {
    // The message names what is wrong but never echoes the link, which may hold an enrollment code.
    const message = error instanceof DeepLinkError ? error.message : 'this link could not be read';
    logger.warn(`deep link refused: ${error instanceof DeepLinkError ? error.code : reason(error)}`);
    void dialog.showMessageBox({ type: 'warning', message: 'Sealcall cannot open this link', detail: message, buttons: ['OK'] });
    return;
  }
  if (link !== null) deliver(link);
}
