import { isRendererUrl } from './renderer-url';

/** What the shell knows about the frame behind an IPC message; null when Electron no longer has it. */
export interface SenderFrame {
  readonly url: string;
  /** True only for the top-level frame of our own window. */
  readonly isOurMainFrame: boolean;
}

/**
 * Whether an IPC message may reach the host. Only our own renderer document, in the top-level
 * frame of our own window, may talk to the main process: a subframe, a page that somehow got
 * navigated elsewhere, or a frame that is already gone is refused, whatever it asks.
 */
export function isAllowedSender(frame: SenderFrame | null, rendererUrl: string): boolean {
  return frame !== null && frame.isOurMainFrame && isRendererUrl(frame.url, rendererUrl);
}
