import { isLoopbackHost } from '../../../shared/protocol/server-url';

/*
 * Where electron-updater looks for new versions. Sealcall ships no built-in update server: the
 * company's enterprise config names one (updateUrl), and the shell points electron-updater's
 * generic provider at it with setFeedURL. No URL, a development build, or a URL that is not HTTPS
 * (plain HTTP only on loopback, for tests) means no update checks at all.
 */

export type UpdateFeed = { readonly kind: 'off'; readonly reason: string } | { readonly kind: 'generic'; readonly url: string };

export interface UpdateFeedInput {
  readonly updateUrl: string | undefined;
  readonly isPackaged: boolean;
}

export function updateFeedFor(input: UpdateFeedInput): UpdateFeed {
  if (!input.isPackaged) return { kind: 'off', reason: 'development build' };
  if (input.updateUrl === undefined || input.updateUrl === '') return { kind: 'off', reason: 'the enterprise config sets no updateUrl' };
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
  // The generic provider resolves latest.yml against this URL, which must therefore name a folder.
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return { kind: 'generic', url: url.href };
}
