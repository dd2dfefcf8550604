/**
 * Whether `url` is our own renderer document. `rendererUrl` is the file:// URL of the built
 * index.html. The query and fragment are ignored (the UI may route with them); scheme, host and
 * path must match after URL normalisation, so `..` segments cannot smuggle in another file. Paths
 * are compared percent-decoded because Chromium and Node may escape the same install path
 * differently (spaces, non-ASCII).
 */
export function isRendererUrl(url: string, rendererUrl: string): boolean {
  const candidate = parseUrl(url);
  const ours = parseUrl(rendererUrl);
  if (candidate === null || ours === null) return false;
  if (ours.protocol !== 'file:' || candidate.protocol !== 'file:' || candidate.host !== ours.host) return false;
  const candidatePath = decodePath(candidate.pathname);
  return candidatePath !== null && candidatePath === decodePath(ours.pathname);
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}
