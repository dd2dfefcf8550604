/**
 * The server URL, as enrollment links carry it and clients sign it: `wss://host[:port]/path`, or
 * plain `ws://` on loopback only. The client refuses anything else, so no call set-up ever crosses
 * a network in clear, even when a link or a config file says otherwise.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Loopback: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (bare.toLowerCase() === 'localhost') return true;
  const v4 = IPV4.exec(bare);
  if (v4) return v4[1] === '127' && v4.slice(1).every((part) => Number(part) <= 255);
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

export class ServerUrlError extends Error {
  override readonly name = 'ServerUrlError';
}

/** Returns the canonical form of a server URL, or throws ServerUrlError saying what is wrong. */
export function checkServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServerUrlError('the server address is not a URL');
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new ServerUrlError(`the server address must start with wss://, not ${url.protocol}//`);
  }
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    throw new ServerUrlError(`refusing unencrypted ws:// to ${url.hostname}: only wss:// is allowed off this computer`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ServerUrlError('the server address may not carry credentials, a query or a fragment');
  }
  return url.href;
}
