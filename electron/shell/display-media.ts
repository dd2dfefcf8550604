import { desktopCapturer, type BrowserWindow, type DesktopCapturerSource, type Session, type WebFrameMain } from 'electron';
import {
  captureSourceKind,
  displayMediaDecision,
  ScreenShareBroker,
  SHARE_PICK_TIMEOUT_MS,
  type CaptureSource,
} from '../core/shell-policy/display-media';
import type { ShellHooks } from '../core/shell-policy/shell-hooks';
import { logger, reason } from './log';

/**
 * getDisplayMedia from our renderer: core/shell-policy/display-media decides whether the request
 * may go to Sealcall's own picker, the host's pickScreenSource hook shows the picker, and only a
 * source that was offered and picked in time is granted. Without the hook, every request is
 * refused and the log says why. System audio is never shared.
 */
export function installDisplayMediaHandler(
  ses: Session,
  rendererUrl: string,
  mainWindow: () => BrowserWindow | null,
  hooks: () => ShellHooks,
): void {
  const broker = new ScreenShareBroker();

  ses.setDisplayMediaRequestHandler(
    (request, callback) => {
      const frameUrl = frameUrlOf(request.frame);
      const decision = displayMediaDecision(
        {
          frameUrl,
          isOurMainFrame: isMainFrameOf(request.frame, mainWindow()),
          videoRequested: request.videoRequested,
          userGesture: request.userGesture,
        },
        rendererUrl,
      );
      if (!decision.allow) {
        logger.warn(`screen share refused: ${decision.reason}`);
        callback(null);
        return;
      }
      const pick = hooks().pickScreenSource;
      if (pick === undefined) {
        logger.warn('screen share refused: the host offers no source picker (pickScreenSource) yet');
        callback(null);
        return;
      }
      pickSource(broker, pick).then(
        (source) => {
          callback(source === null ? null : { video: source });
        },
        (error: unknown) => {
          logger.warn(`screen share refused: ${reason(error)}`);
          callback(null);
        },
      );
    },
    { useSystemPicker: false },
  );
}

async function pickSource(
  broker: ScreenShareBroker,
  pick: NonNullable<ShellHooks['pickScreenSource']>,
): Promise<DesktopCapturerSource | null> {
  const sources = await desktopCapturer.getSources({ types: ['screen', 'window'], thumbnailSize: { width: 320, height: 180 } });
  const offered = sources.flatMap((source): CaptureSource[] => {
    const kind = captureSourceKind(source.id);
    return kind === null ? [] : [{ id: source.id, name: source.name, kind }];
  });
  const { share, superseded } = broker.open(offered, Date.now());
  if (superseded !== null) logger.info('screen share: a newer request replaced one still waiting for a pick');

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      resolve(null);
    }, SHARE_PICK_TIMEOUT_MS + 1000);
  });
  const chosenId = await Promise.race([pick(share).catch(() => null), timeout]).finally(() => {
    clearTimeout(timer);
  });
  const choice = broker.choose(share.requestId, chosenId, Date.now());
  if (!choice.ok) {
    logger.info(`screen share refused: ${choice.reason}`);
    return null;
  }
  logger.info(`screen share: granted a ${choice.source.kind}`);
  return sources.find((source) => source.id === choice.source.id) ?? null;
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
