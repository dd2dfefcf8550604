import { desktopCapturer, type BrowserWindow, type Session, type WebFrameMain } from 'electron';
import { displayMediaDecision, type ShareTake } from '../core/shell-policy/display-media';
import { logger, reason } from './log';

/**
 * getDisplayMedia from our renderer. The user has already picked a screen or window in Sealcall's
 * own picker (screen.sources, then screen.choose, which arms the pick in the core);
 * core/shell-policy/display-media decides whether this request may be granted, and the core hands
 * over the armed pick once. No pick, a stale one, or a source that has gone since: refused. System
 * audio is never shared.
 */
export function installDisplayMediaHandler(
  ses: Session,
  rendererUrl: string,
  mainWindow: () => BrowserWindow | null,
  takeScreenShare: () => ShareTake,
): void {
  ses.setDisplayMediaRequestHandler(
    (request, callback) => {
      const decision = displayMediaDecision(
        {
          frameUrl: frameUrlOf(request.frame),
          isOurMainFrame: isMainFrameOf(request.frame, mainWindow()),
          videoRequested: request.videoRequested,
          userGesture: request.userGesture,
        },
        rendererUrl,
      );
      // Taken even when refused, so that a pick never outlives the request it was made for.
      const take = takeScreenShare();
      if (!decision.allow) {
        logger.warn(`screen share refused: ${decision.reason}`);
        callback(null);
        return;
      }
      if (!take.ok) {
        logger.warn(`screen share refused: ${take.reason}`);
        callback(null);
        return;
      }
      const { id, kind } = take.source;
      // Listed again, without thumbnails: the grant needs Electron's own source object, and a
      // window closed since the pick must not be granted.
      desktopCapturer.getSources({ types: [kind], thumbnailSize: { width: 0, height: 0 } }).then(
        (sources) => {
          const source = sources.find((candidate) => candidate.id === id);
          if (source === undefined) {
            logger.info(`screen share refused: the picked ${kind} is no longer there`);
            callback(null);
            return;
          }
          logger.info(`screen share: granted a ${kind}`);
          callback({ video: source });
        },
        (error: unknown) => {
          logger.warn(`screen share refused: listing sources failed: ${reason(error)}`);
          callback(null);
        },
      );
    },
    { useSystemPicker: false },
  );
}

function frameUrlOf(frame: WebFrameMain | null): string | null {
  try {
    return frame === null || frame.isDestroyed() ? null : frame.url;
  } catch {
    // WebFrameMain getters throw once the frame is disposed.
    return null;
  }
}

function isMainFrameOf(frame: WebFrameMain | null, window: BrowserWindow | null): boolean {
  try {
    if (frame === null || window === null || window.isDestroyed() || frame.isDestroyed()) return false;
    const main = window.webContents.mainFrame;
    return frame.parent === null && frame.processId === main.processId && frame.frameToken === main.frameToken;
  } catch {
    return false;
  }
}
