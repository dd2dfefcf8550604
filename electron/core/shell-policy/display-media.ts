import { IpcError, type CaptureSourceView } from '../../../shared/ipc';
import { isRendererUrl } from '../renderer-url';

/*
 * Screen sharing. The user picks a screen or window in Sealcall's own picker first; the renderer's
 * getDisplayMedia then reaches the shell's display-media handler, which grants that pick and
 * nothing else. This module decides whether a request may be granted at all, and holds the pick
 * (ScreenShareBroker) so that it is honoured only for a source that was actually offered, once,
 * and only while it is fresh.
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

export type CaptureSource = CaptureSourceView;

export type ShareTake = { readonly ok: true; readonly source: CaptureSource } | { readonly ok: false; readonly reason: string };

/** How long a list of sources stays pickable, and a pick stays armed for getDisplayMedia. */
export const SHARE_PICK_TIMEOUT_MS = 60_000;

export function captureSourceKind(id: string): CaptureSource['kind'] | null {
  if (id.startsWith('screen:')) return 'screen';
  if (id.startsWith('window:')) return 'window';
  return null;
}

interface Offer {
  readonly sources: readonly CaptureSource[];
  readonly expiresAt: number;
}

interface Armed {
  readonly source: CaptureSource;
  readonly expiresAt: number;
}

/**
 * Pick first, then capture: the renderer lists the sources (offer), the user picks one in
 * Sealcall's picker (arm), and the shell's display-media handler grants exactly that source to the
 * getDisplayMedia that follows (take). Each step is single use and short-lived, so a compromised
 * renderer cannot capture a source the user never picked, nor reuse a pick for a second capture.
 */
export class ScreenShareBroker {
  private offer: Offer | null = null;
  private armed: Armed | null = null;

  /** A fresh list replaces the last one, and disarms any pick still waiting. */
  offerSources(sources: readonly CaptureSource[], now: number): void {
    this.offer = { sources: [...sources], expiresAt: now + SHARE_PICK_TIMEOUT_MS };
    this.armed = null;
  }

  /** The user's pick; throws a clear IpcError for a source not offered, a late pick or a second one. */
  arm(sourceId: string, now: number): CaptureSource {
    const offer = this.offer;
    if (offer === null) throw new IpcError('share-refused', 'no screens or windows were offered: list them (screen.sources) before choosing');
    this.offer = null;
    if (now > offer.expiresAt) throw new IpcError('share-refused', 'the list of screens and windows is out of date: open the picker again');
    const source = offer.sources.find((candidate) => candidate.id === sourceId);
    if (source === undefined) throw new IpcError('share-refused', 'the chosen screen or window was not one of those offered');
    this.armed = { source, expiresAt: now + SHARE_PICK_TIMEOUT_MS };
    return source;
  }

  /** The shell's side: the armed pick, once. Whatever the outcome, nothing stays armed. */
  take(now: number): ShareTake {
    const armed = this.armed;
    this.armed = null;
    if (armed === null) return { ok: false, reason: 'no screen or window was picked in Sealcall' };
    if (now > armed.expiresAt) return { ok: false, reason: 'the pick timed out before the capture started' };
    return { ok: true, source: armed.source };
  }
}
