import { isRendererUrl } from '../renderer-url';

/*
 * Where our web contents may go and what they may fetch. The renderer is a single document of
 * our own; it never navigates, opens windows, frames anything or downloads, and it fetches only
 * its own files. Everything else is refused, whoever asks.
 */

export interface NavigationAsk {
  readonly url: string;
  readonly isMainFrame: boolean;
}

/** Only the main frame, and only to our renderer document (a reload, or a route in the query or fragment). */
export function isNavigationAllowed(ask: NavigationAsk, rendererUrl: string): boolean {
  return ask.isMainFrame && isRendererUrl(ask.url, rendererUrl);
}

/** window.open and target=_blank: never. Links to the web are not part of the app. */
export function windowOpenDecision(): { readonly action: 'deny' } {
  return { action: 'deny' };
}

export interface RequestOptions {
  /** DevTools load their own front end over devtools://; allowed only while DevTools are. */
  readonly devTools: boolean;
}

/**
 * Whether a request from our session may proceed: our renderer's own files and blob: URLs, and
 * nothing from the network (the main process holds the server connection; WebRTC media does not
 * pass through this filter). file: URLs must stay inside the renderer's folder, so a compromised
 * page cannot read the rest of the disk into an <img> or a fetch.
 */
export function isRequestAllowed(url: string, rendererUrl: string, options: RequestOptions): boolean {
  const parsed = parse(url);
  if (parsed === null) return false;
  switch (parsed.protocol) {
    case 'blob:':
      return true;
    case 'devtools:':
      return options.devTools;
    case 'file:':
      return isInsideRendererFolder(parsed, rendererUrl);
    default:
      return false;
  }
}

/** Whether `url` is a file in the renderer's folder (index.html, its scripts, the worker, the WebAssembly). */
export function isRendererFile(url: string, rendererUrl: string): boolean {
  const parsed = parse(url);
  return parsed?.protocol === 'file:' && isInsideRendererFolder(parsed, rendererUrl);
}

function isInsideRendererFolder(candidate: URL, rendererUrl: string): boolean {
  const ours = parse(rendererUrl);
  if (ours?.protocol !== 'file:' || candidate.host !== ours.host) return false;
  const ourPath = decode(ours.pathname);
  const path = decode(candidate.pathname);
  if (ourPath === null || path === null) return false;
  const folder = ourPath.slice(0, ourPath.lastIndexOf('/') + 1);
  if (folder === '' || !path.startsWith(folder)) return false;
  // The URL parser already resolved literal dot segments; these are the ones escaping hid from it.
  const rest = path.slice(folder.length).split('/');
  return !rest.some((segment) => segment === '.' || segment === '..' || segment.includes('\\') || segment.includes('\0'));
}

/** Nothing in Sealcall downloads files; a download would be a page trying to drop one on disk. */
export function isDownloadAllowed(): boolean {
  return false;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function decode(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}
