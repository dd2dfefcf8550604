import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { utf8Bytes } from '../../shared/crypto/bytes';
import { loadSodium } from '../../shared/crypto/sodium';
import { UPDATE_MANIFEST_FILE, UPDATE_MANIFEST_FORMAT, UPDATE_SIGNATURE_FILE, updateManifestSchema, type UpdateManifest } from '../../shared/update/update-manifest';
import { signUpdateManifest } from '../../shared/update/update-signature';

export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return /^(['"]).*\1$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

/**
 * The version and file names in one electron-updater latest*.yml. electron-builder writes a fixed,
 * flat layout (`version:`, then `files:` with `- url:` entries, and a top-level `path:`), so
 * reading those lines is enough; anything else in the file is not needed to know what to sign.
 */
export function readUpdateInfo(text: string, source: string): { version: string; files: string[] } {
  let version: string | undefined;
  const files: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const top = /^(version|path):\s*(.+)$/.exec(line);
    if (top?.[1] === 'version') version = unquote(top[2] ?? '');
    else if (top?.[1] === 'path') files.push(unquote(top[2] ?? ''));
    const entry = /^\s*-\s+url:\s*(.+)$/.exec(line);
    if (entry) files.push(unquote(entry[1] ?? ''));
  }
  if (version === undefined) throw new ReleaseError(`${source} has no "version:" line; is it electron-builder's?`);
  if (files.length === 0) throw new ReleaseError(`${source} names no files`);
  return { version, files: [...new Set(files)] };
}

async function sha512Base64(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/**
 * The manifest for the release in `dir`: every file its latest*.yml files name, measured and
 * hashed here rather than copied from the yml, so the signature covers the bytes on disk.
 */
export async function buildReleaseManifest(dir: string): Promise<UpdateManifest> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
    throw new ReleaseError(`cannot read the release folder ${dir} (${code})`);
  }
  const ymls = names.filter((name) => /^latest(-[a-z0-9]+)?\.yml$/.test(name)).sort();
  if (ymls.length === 0) throw new ReleaseError(`${dir} has no latest*.yml: run 'npm run dist' first and point --dir at its output`);
  let version: string | undefined;
  const files = new Set<string>();
  for (const yml of ymls) {
    const info = readUpdateInfo(await readFile(path.join(dir, yml), 'utf8'), yml);
    if (version !== undefined && info.version !== version) throw new ReleaseError(`${yml} is for version ${info.version}, another latest*.yml for ${version}: one release per folder`);
    version = info.version;
    info.files.forEach((file) => files.add(file));
  }
  const entries = [];
  for (const name of [...files].sort()) {
    if (name !== path.basename(name) || name.includes('\\')) throw new ReleaseError(`a latest*.yml names "${name}", which is not a file in this folder`);
    const file = path.join(dir, name);
    const stats = await stat(file).catch(() => undefined);
    if (!stats?.isFile()) throw new ReleaseError(`a latest*.yml names ${name}, which is not in ${dir}`);
    entries.push({ name, size: stats.size, sha512: await sha512Base64(file) });
  }
  const checked = updateManifestSchema.safeParse({ format: UPDATE_MANIFEST_FORMAT, version, files: entries });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ReleaseError(`cannot sign this release: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid manifest'}`);
  }
  return checked.data;
}

/** Writes the manifest and its detached signature into `dir`, next to the latest*.yml files. */
export async function writeSignedManifest(dir: string, manifest: UpdateManifest, secretKey: Uint8Array): Promise<{ manifestFile: string; signatureFile: string }> {
  const bytes = utf8Bytes(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature = await signUpdateManifest(bytes, secretKey);
  const sodium = await loadSodium();
  const manifestFile = path.join(dir, UPDATE_MANIFEST_FILE);
  const signatureFile = path.join(dir, UPDATE_SIGNATURE_FILE);
  await writeFile(manifestFile, bytes);
  await writeFile(signatureFile, `${sodium.to_base64(signature, sodium.base64_variants.ORIGINAL)}\n`);
  return { manifestFile, signatureFile };
}
