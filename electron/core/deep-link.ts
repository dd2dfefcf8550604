import { checkServerUrl, ServerUrlError } from '../../shared/protocol/server-url';
import { userIdSchema } from '../../shared/protocol/fields';

/*
 * sealcall:// links arrive from mail, chat and intranet pages, so every one is hostile until it
 * parses here. Only two shapes exist:
 *   sealcall://enroll?server=<wss URL>&code=<one-time code>   (printed by `sealcall-server invite`)
 *   sealcall://call/<user-id>                                  (one-click call)
 * Anything else is refused with a message a user can act on, and nothing is guessed or repaired.
 */

export type SealcallLink =
  | { readonly kind: 'enroll'; readonly serverUrl: string; readonly code: string }
  | { readonly kind: 'call'; readonly userId: string };

export type DeepLinkErrorCode =
  | 'too-long'
  | 'bad-characters'
  | 'not-a-url'
  | 'wrong-scheme'
  | 'unknown-action'
  | 'bad-shape'
  | 'bad-server'
  | 'bad-code'
  | 'bad-user-id'
  | 'ambiguous';

export class DeepLinkError extends Error {
  override readonly name = 'DeepLinkError';
  constructor(
    readonly code: DeepLinkErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Matches identity.enroll's limit on a pasted link; a real one is about 150 characters. */
export const MAX_LINK_LENGTH = 2048;

const SCHEME = 'sealcall:';
/** The invite code is URL-safe base64 of 32 random bytes (43 characters); leave room, but not much. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
/** WHATWG URL parsing silently drops tabs and newlines and trims spaces and controls; refuse them instead. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f]/;

const HELP = 'a Sealcall link is sealcall://enroll?server=…&code=… or sealcall://call/<user-id>';

export function parseSealcallLink(text: string): SealcallLink {
  if (text.length > MAX_LINK_LENGTH) throw new DeepLinkError('too-long', `this link is too long to be a Sealcall link (${HELP})`);
  if (CONTROL_OR_SPACE.test(text)) {
    throw new DeepLinkError('bad-characters', 'this link contains spaces or control characters; copy it again from the original message');
  }
  const url = parseUrl(text);
  if (url.protocol !== SCHEME) {
    throw new DeepLinkError('wrong-scheme', `this is a ${url.protocol}// link, not a sealcall:// link`);
  }
  if (url.username !== '' || url.password !== '' || url.port !== '') {
    throw new DeepLinkError('bad-shape', `this link carries a user name, password or port, which no Sealcall link has (${HELP})`);
  }
  if (url.hash !== '') throw new DeepLinkError('bad-shape', `this link has a #fragment, which no Sealcall link has (${HELP})`);
  switch (url.host.toLowerCase()) {
    case 'enroll':
      return parseEnroll(url);
    case 'call':
      return parseCall(url);
    case '':
      throw new DeepLinkError('unknown-action', `this link names no action (${HELP})`);
    default:
      throw new DeepLinkError('unknown-action', `Sealcall does not know the link action '${url.host.slice(0, 40)}' (${HELP})`);
  }
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new DeepLinkError('not-a-url', `this is not a link (${HELP})`);
  }
}

function parseEnroll(url: URL): SealcallLink {
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new DeepLinkError('bad-shape', 'an enrollment link has nothing after "enroll" but ?server=…&code=…');
  }
  const params = [...url.searchParams.keys()];
  const unexpected = params.filter((name) => name !== 'server' && name !== 'code');
  if (unexpected.length > 0) {
    throw new DeepLinkError('bad-shape', `an enrollment link carries only server and code, not ${unexpected.slice(0, 3).join(', ')}`);
  }
  const server = single(url.searchParams, 'server');
  const code = single(url.searchParams, 'code');

  let serverUrl: string;
  try {
    serverUrl = checkServerUrl(server);
  } catch (error) {
    const why = error instanceof ServerUrlError ? error.message : 'the server address is not valid';
    throw new DeepLinkError('bad-server', `this enrollment link points at a server Sealcall will not use: ${why}`);
  }
  if (!CODE_PATTERN.test(code)) {
    throw new DeepLinkError('bad-code', 'the enrollment code in this link is damaged (it should be 22 to 64 letters, digits, - or _); ask IT for a new link');
  }
  return { kind: 'enroll', serverUrl, code };
}

function single(params: URLSearchParams, name: string): string {
  const values = params.getAll(name);
  if (values.length === 0) throw new DeepLinkError('bad-shape', `this enrollment link has no ${name}; ask IT for a new link`);
  if (values.length > 1) throw new DeepLinkError('bad-shape', `this enrollment link gives ${name} more than once`);
  return values[0] ?? '';
}

function parseCall(url: URL): SealcallLink {
  if (url.search !== '') throw new DeepLinkError('bad-shape', 'a call link is sealcall://call/<user-id>, with nothing after the user id');
  const segments = url.pathname.split('/');
  // pathname is "/<id>": one empty segment before the only real one.
  if (segments.length !== 2 || segments[0] !== '' || segments[1] === undefined || segments[1] === '') {
    throw new DeepLinkError('bad-shape', 'a call link is sealcall://call/<user-id>, with exactly one user id');
  }
  let userId: string;
  try {
    // Decoded once: mailers write '@' as %40. Anything still encoded after that fails the id rules.
    userId = decodeURIComponent(segments[1]);
  } catch {
    throw new DeepLinkError('bad-user-id', 'the user id in this call link is garbled');
  }
  const parsed = userIdSchema.safeParse(userId);
  if (!parsed.success) {
    throw new DeepLinkError('bad-user-id', 'the user id in this call link is not a Sealcall user id (lower-case letters, digits and . _ @ + -)');
  }
  return { kind: 'call', userId: parsed.data };
}

/**
 * The link a second instance was started with (Windows and Linux pass it on the command line), or
 * null when there is none. Chromium and the OS add their own switches around it, so only arguments
 * that start with the scheme count; two of them is refused rather than picking one.
 */
export function linkFromArgv(argv: readonly string[]): SealcallLink | null {
  const candidates = argv.filter((arg) => arg.slice(0, SCHEME.length).toLowerCase() === SCHEME);
  if (candidates.length === 0) return null;
  if (candidates.length > 1) throw new DeepLinkError('ambiguous', 'Sealcall was started with more than one sealcall:// link');
  return parseSealcallLink(candidates[0] ?? '');
}

/** The canonical link text: what the core's enroll channel takes, and what tests round-trip. */
export function formatSealcallLink(link: SealcallLink): string {
  return link.kind === 'enroll'
    ? `sealcall://enroll?${new URLSearchParams({ server: link.serverUrl, code: link.code }).toString()}`
    : `sealcall://call/${encodeURIComponent(link.userId)}`;
}

/** For logs: the enrollment code is a credential until it is used, so it never appears. */
export function describeLinkForLog(link: SealcallLink): string {
  return link.kind === 'enroll' ? `enroll link for ${link.serverUrl} (code withheld)` : `call link for ${link.userId}`;
}
