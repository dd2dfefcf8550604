import { MAX_MANIFEST_BYTES, UPDATE_MANIFEST_FILE, UPDATE_SIGNATURE_FILE, updateManifestSchema, type UpdateManifest } from '../../../shared/update/update-manifest';
import { compareReleaseVersions } from '../../../shared/update/release-version';
import { decodeUpdatePublicKey, verifyUpdateManifest } from '../../../shared/update/update-signature';
import { readBoundedBody } from '../net/bounded-body';
import { UpdateRefusal } from './update-refusal';

/*
 * The release the feed offers, believed only once the company's update-signing key vouches for it
 * (docs/deployment.md, "Signed updates"). Whoever controls the feed host can serve anything; what
 * they cannot do without the offline key is make a manifest verify, and a manifest that verifies
 * but is not newer than this app (an old release replayed, to downgrade into a known bug) is
 * refused too.
 */

const FETCH_TIMEOUT_MS = 30_000;
const SIGNATURE_TEXT = /^[A-Za-z0-9+/]{86}==$/;

export interface SignedReleaseRequest {
  /** The feed folder from the enterprise config (updateUrl), ending in "/". */
  readonly feedUrl: string;
  /** `updatePublicKey` from the enterprise config. */
  readonly publicKey: string;
  /** The version of the app now running. */
  readonly runningVersion: string;
}

async function fetchBounded(url: URL, what: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { 'cache-control': 'no-cache' }, redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw new UpdateRefusal('feed-unreachable', `cannot fetch the ${what} ${url.href}: ${error instanceof Error ? error.message : 'network error'}`, { cause: error });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw new UpdateRefusal('unsigned', `the feed has no ${what} (${url.href} is 404): an unsigned release is never installed; sign it with 'sealcall-server publish-update'`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UpdateRefusal('feed-unreachable', `cannot fetch the ${what} ${url.href}: HTTP ${response.status}`);
  }
  const bytes = await readBoundedBody(response, MAX_MANIFEST_BYTES);
  if (bytes === undefined) throw new UpdateRefusal('malformed', `the ${what} ${url.href} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  return bytes;
}

function decodeSignature(bytes: Uint8Array): Uint8Array {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim();
  } catch {
    text = '';
  }
  if (!SIGNATURE_TEXT.test(text)) throw new UpdateRefusal('malformed', `${UPDATE_SIGNATURE_FILE} is not an Ed25519 signature in base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function parseManifest(bytes: Uint8Array): UpdateManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new UpdateRefusal('malformed', `${UPDATE_MANIFEST_FILE} is signed but is not valid JSON`);
  }
  const parsed = updateManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `"${issue.path.join('.')}" ` : '';
    throw new UpdateRefusal('malformed', `${UPDATE_MANIFEST_FILE} is signed but malformed: ${where}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Fetches the manifest and its signature from the feed and returns the manifest once the pinned
 * key verifies it and its version is newer than the running app's; otherwise throws UpdateRefusal.
 */
export async function fetchSignedRelease(request: SignedReleaseRequest): Promise<UpdateManifest> {
  let publicKey: Uint8Array;
  try {
    publicKey = await decodeUpdatePublicKey(request.publicKey);
  } catch (error) {
    throw new UpdateRefusal('bad-signature', 'the updatePublicKey in the enterprise config is not a key', { cause: error });
  }
  const manifestBytes = await fetchBounded(new URL(UPDATE_MANIFEST_FILE, request.feedUrl), 'signed manifest');
  const signature = decodeSignature(await fetchBounded(new URL(UPDATE_SIGNATURE_FILE, request.feedUrl), 'manifest signature'));
  // Verified before it is parsed: nothing the feed says is read until the key vouches for it.
  if (!(await verifyUpdateManifest(manifestBytes, signature, publicKey))) {
    throw new UpdateRefusal('bad-signature', `${UPDATE_MANIFEST_FILE} is not signed by the updatePublicKey in the enterprise config: the feed may have been tampered with, or signed with another key`);
  }
  const manifest = parseManifest(manifestBytes);
  if (compareReleaseVersions(manifest.version, request.runningVersion) <= 0) {
    throw new UpdateRefusal('not-newer', `the signed release is version ${manifest.version}, not newer than the running ${request.runningVersion}: an old release is never reinstalled (downgrade or replay)`);
  }
  return manifest;
}
