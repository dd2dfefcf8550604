import { isLoopbackHost } from '../../../shared/protocol/server-url';
import { UPDATE_PUBLIC_KEY_PATTERN } from '../../../shared/update/update-signature';

/*
 * Where electron-updater looks for new versions, and the key a release must be signed with.
 * Sealcall ships no built-in update server: the company's enterprise config names one (updateUrl)
 * and pins the company's update-signing key (updatePublicKey); the shell points electron-updater's
 * generic provider at the URL, and core/updates checks every release against the key before it
 * downloads or installs (docs/deployment.md, "Signed updates"). No URL, no key, a development
 * build, or a URL that is not HTTPS (plain HTTP only on loopback, for tests) means no update
 * checks at all: an unsigned feed is never trusted.
 */

export type UpdateFeed =
  | { readonly kind: 'off'; readonly reason: string }
  | { readonly kind: 'signed'; readonly url: string; readonly publicKey: string };

export interface UpdateFeedInput {
  readonly updateUrl: string | undefined;
  readonly updatePublicKey: string | undefined;
  readonly isPackaged: boolean;
}

export function updateFeedFor(input: UpdateFeedInput): UpdateFeed {
  if (!input.isPackaged) return { kind: 'off', reason: 'development build' };
  if (input.updateUrl === undefined || input.updateUrl === '') return { kind: 'off', reason: 'the enterprise config sets no updateUrl' };
  if (input.updatePublicKey === undefined || input.updatePublicKey === '') {
    return { kind: 'off', reason: 'the enterprise config sets an updateUrl but no updatePublicKey, and an unsigned feed is never trusted' };
  }
  if (!UPDATE_PUBLIC_KEY_PATTERN.test(input.updatePublicKey)) return { kind: 'off', reason: 'the updatePublicKey in the enterprise config is not a key' };
  let url: URL;
  try {
    url = new URL(input.updateUrl);
  } catch {
    return { kind: 'off', reason: 'the updateUrl in the enterprise config is not a URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return { kind: 'off', reason: `updates are fetched over https:// only, and updateUrl is ${url.protocol}//` };
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return { kind: 'off', reason: 'the updateUrl may not carry credentials, a query or a fragment' };
  }
  // The generic provider resolves latest.yml, and core/updates the signed manifest, against this
  // URL, which must therefore name a folder.
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return { kind: 'signed', url: url.href, publicKey: input.updatePublicKey };
}
