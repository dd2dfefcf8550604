import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { UpdateManifest } from '../../../shared/update/update-manifest';
import { UpdateRefusal } from './update-refusal';

async function sha512(file: string): Promise<Buffer> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest();
}

/**
 * Checks a downloaded installer against the signed manifest before anything installs it: it must
 * be a file the manifest names, with exactly that size and SHA-512. electron-updater checks its
 * own latest*.yml's hash too, but that file is written by whoever controls the feed.
 */
export async function checkDownloadedFile(manifest: UpdateManifest, file: string): Promise<void> {
  const name = path.basename(file);
  const entry = manifest.files.find((candidate) => candidate.name === name);
  if (!entry) throw new UpdateRefusal('file-not-listed', `the downloaded ${name} is not in the signed manifest of ${manifest.version}`);
  const stats = await stat(file).catch(() => undefined);
  if (!stats?.isFile()) throw new UpdateRefusal('file-mismatch', `the downloaded ${name} is missing`);
  if (stats.size !== entry.size) {
    throw new UpdateRefusal('file-mismatch', `the downloaded ${name} is ${stats.size} bytes, the signed manifest says ${entry.size}: it was altered or truncated`);
  }
  const expected = Buffer.from(entry.sha512, 'base64');
  const actual = await sha512(file);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new UpdateRefusal('file-mismatch', `the downloaded ${name} does not match the SHA-512 in the signed manifest: it was altered`);
  }
}
