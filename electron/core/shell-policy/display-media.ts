import { isRendererUrl } from '../renderer-url';

/*
 * Screen sharing. getDisplayMedia in our renderer reaches the shell's display-media handler; the
 * source (a screen or a window) is then chosen by the user in Sealcall's own picker, never by the
 * page. This module decides whether a request may go to the picker at all, and keeps the one
 * pending request so that a choice is honoured only for a source that was actually offered, and
 * only while the request is fresh.
 */

export interface DisplayMediaAsk {
  /** The requesting frame's URL; null when Electron no longer has the frame. */
  readonly frameUrl: string | null;
  readonly isOurMainFrame: boolean;
  readonly videoRequested: boolean;
  readonly userGesture: boolean;
}

export type DisplayMediaDecision = { readonly allow: true } | { readonly allow: false; readonly reason: string };

export function displayMediaDecision(ask: DisplayMediaAsk, rendererUrl: string): DisplayMediaDecision {
  if (ask.frameUrl === null || !ask.isOurMainFrame || !isRendererUrl(ask.frameUrl, rendererUrl)) {
    return { allow: false, reason: 'the request did not come from the Sealcall window' };
  }
  if (!ask.videoRequested) return { allow: false, reason: 'only screen or window video can be shared' };
  if (!ask.userGesture) return { allow: false, reason: 'a screen share must start from a click' };
  return { allow: true };
}

export interface CaptureSource {
  /** desktopCapturer's id, e.g. "screen:0:0" or "window:1234:0". */
  readonly id: string;
  readonly name: string;
  readonly kind: 'screen' | 'window';
}

export interface PendingShare {
  readonly requestId: string;
  readonly sources: readonly CaptureSource[];
  readonly expiresAt: number;
}

export type ShareChoice = { readonly ok: true; readonly source: CaptureSource } | { readonly ok: false; readonly reason: string };

/** How long the user has to pick a source before the request is refused. */
export const SHARE_PICK_TIMEOUT_MS = 60_000;

export function captureSourceKind(id: string): CaptureSource['kind'] | null {
  if (id.startsWith('screen:')) return 'screen';
  if (id.startsWith('window:')) return 'window';
  return null;
}

/** Holds at most one pending screen-share request. */
export class ScreenShareBroker {
  private pending: PendingShare | null = null;
  private counter = 0;

  /** Starts a request; a request still pending is superseded and returned, so the shell can refuse it. */
  open(sources: readonly CaptureSource[], now: number): { readonly share: PendingShare; readonly superseded: PendingShare | null } {
    const superseded = this.pending;
    this.counter += 1;
    const share: PendingShare = { requestId: `share-${this.counter}`, sources: [...sources], expiresAt: now + SHARE_PICK_TIMEOUT_MS };
    this.pending = share;
    return { share, superseded };
  }

  /** The user's pick. The request is settled either way: a second answer finds nothing pending. */
  choose(requestId: string, sourceId: string | null, now: number): ShareChoice {
    const share = this.pending;
    if (share?.requestId !== requestId) return { ok: false, reason: 'this screen-share request is no longer pending' };
    this.pending = null;
    if (now > share.expiresAt) return { ok: false, reason: 'the screen-share request timed out' };
    if (sourceId === null) return { ok: false, reason: 'the user cancelled the screen share' };
    const source = share.sources.find((candidate) => candidate.id === sourceId);
    if (source === undefined) return { ok: false, reason: 'the chosen source was not one of those offered' };
    return { ok: true, source };
  }

  current(): PendingShare | null {
    return this.pending;
  }
}
