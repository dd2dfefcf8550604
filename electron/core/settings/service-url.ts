import { checkServerUrl, isLoopbackHost } from '../../../shared/protocol/server-url';

/** Thrown with words that complete `"<field>" …` in a config error. */
export class UrlFieldError extends Error {
  override readonly name = 'UrlFieldError';
}

function parse(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UrlFieldError('is not a URL');
  }
}

function refuseExtras(url: URL): void {
  if (url.username !== '' || url.password !== '') throw new UrlFieldError('may not contain a user name or password');
}

/**
 * The server address in the form enrollment links carry (`wss://host/ws`). `https://` is taken as a
 * spelling of `wss://`, since admins think of the server as a web address; plain `http://` and
 * `ws://` only for loopback, as everywhere else in Sealcall.
 */
export function parseServerUrlField(text: string): string {
  const url = parse(text);
  refuseExtras(url);
  if (url.protocol === 'https:' || url.protocol === 'http:') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new UrlFieldError('must start with wss:// or https://');
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    throw new UrlFieldError('must use wss:// or https://: unencrypted addresses are allowed only on this computer (localhost)');
  }
  if (url.search !== '' || url.hash !== '') throw new UrlFieldError('may not contain a query (?…) or a fragment (#…)');
  return checkServerUrl(url.href);
}

/**
 * Where electron-updater looks for updates: https, or http on loopback for a test feed. The same
 * rules as shell-policy/update-feed.ts, so a config that loads never silently turns updates off.
 */
export function parseUpdateUrlField(text: string): string {
  const url = parse(text);
  refuseExtras(url);
  if (url.search !== '' || url.hash !== '') throw new UrlFieldError('may not contain a query (?…) or a fragment (#…)');
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url.href;
  if (url.protocol === 'http:') throw new UrlFieldError('must use https://: plain http:// is allowed only on this computer (localhost)');
  throw new UrlFieldError('must start with https://');
}
