/**
 * The wire protocol version. Every message carries it as `v`; a peer that sees another version
 * refuses the message with 'unsupported-version' instead of guessing at its meaning.
 *
 * Version 2 made the directory versioned (deltas since what the client holds) and presence a
 * subscription; its media also binds the frame's kind into SFrame's authenticated data, so a
 * version-1 app could neither read the server nor decrypt a version-2 peer.
 */
export const PROTOCOL_VERSION = 2;

/**
 * The WebSocket subprotocol a client offers for each version it speaks. The server picks one it
 * speaks too; a client offering none it knows (every version-1 app offered none) gets one
 * `unsupported-version` error in the version-1 envelope, which such an app reads and shows as
 * "update Sealcall", and the socket is closed.
 */
export const SUBPROTOCOL_PREFIX = 'sealcall.';

export function subprotocolFor(version: number): string {
  return `${SUBPROTOCOL_PREFIX}${version}`;
}

/** The version a subprotocol names, or undefined for anything else. */
export function versionOfSubprotocol(name: string): number | undefined {
  if (!name.startsWith(SUBPROTOCOL_PREFIX)) return undefined;
  const digits = name.slice(SUBPROTOCOL_PREFIX.length);
  return /^[1-9][0-9]{0,3}$/.test(digits) ? Number(digits) : undefined;
}

/**
 * The one message every version can read: an `error` refusing the connection, in the envelope of
 * `version` (whose shape for `error` never changes). As text, ready to send.
 */
export function unsupportedVersionError(version: number, message: string): string {
  return JSON.stringify({ v: version, type: 'error', code: 'unsupported-version', message });
}
