import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import {
  ELECTRON_EVENT_CHANNEL,
  ELECTRON_INVOKE_CHANNEL,
  eventChannels,
  IpcError,
  isEventChannel,
  toErrorResult,
  type IpcResult,
} from '../../shared/ipc';
import type { Host } from '../core/host';
import { isAllowedSender, type SenderFrame } from '../core/sender-policy';

/** Reads Electron's view of the sending frame; a frame that is gone or being torn down reads as null. */
function senderFrameOf(event: IpcMainInvokeEvent, window: BrowserWindow): SenderFrame | null {
  try {
    const frame = event.senderFrame;
    if (frame === null || frame.isDestroyed() || window.isDestroyed()) return null;
    const main = window.webContents.mainFrame;
    const isOurMainFrame =
      event.sender === window.webContents &&
      frame.parent === null &&
      frame.processId === main.processId &&
      frame.frameToken === main.frameToken;
    return { url: frame.url, isOurMainFrame };
  } catch {
    // WebFrameMain getters throw once the frame is disposed.
    return null;
  }
}

/**
 * Connects the host to the window: requests from our renderer go to host.invoke, everything else
 * is refused with 'forbidden-sender'; host events go out to the window. Returns the disconnect.
 */
export function bridgeHostToWindow(host: Host, window: BrowserWindow, rendererUrl: string): () => void {
  ipcMain.handle(ELECTRON_INVOKE_CHANNEL, (event, channel: unknown, payload: unknown): Promise<IpcResult> => {
    if (!isAllowedSender(senderFrameOf(event, window), rendererUrl)) {
      return Promise.resolve(toErrorResult(new IpcError('forbidden-sender', 'this frame may not talk to Sealcall')));
    }
    return host.invoke(channel, payload);
  });

  const unsubscribes = Object.keys(eventChannels)
    .filter(isEventChannel)
    .map((event) =>
      host.on(event, (payload) => {
        if (!window.isDestroyed()) window.webContents.send(ELECTRON_EVENT_CHANNEL, { event, payload });
      }),
    );

  return () => {
    ipcMain.removeHandler(ELECTRON_INVOKE_CHANNEL);
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
