import { isIP } from 'node:net';
import { checkServerUrl } from '../../shared/protocol/server-url';

export { isLoopbackHost } from '../../shared/protocol/server-url';

/**
 * Checks the URL the server advertises (in `hello`, and in enrollment links) by the same rule the
 * client applies, `checkServerUrl`, so the two can never disagree; only the wording is for admins.
 * Clients sign this URL exactly as returned (canonical form), and refuse plain ws:// off loopback,
 * so a server advertising one would be unreachable at best and readable by the network at worst.
 */
export function checkPublicUrl(text: string): string {
  try {
    return checkServerUrl(text);
  } catch (error) {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (url?.protocol === 'ws:') {
      throw new Error(
        `refusing to advertise ${url.href}: plain ws:// is only for loopback. Put a TLS proxy in front and use wss://${url.host}${url.pathname}`,
        { cause: error },
      );
    }
    throw new Error(`the public URL '${text}' is unusable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The URL a loopback-only server advertises when none is configured. */
export function defaultPublicUrl(host: string, port: number): string {
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return `ws://${shown}:${port}/ws`;
}
