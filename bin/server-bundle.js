// The built server (`npm run build:server`) and whether it may run: only when it was built from
// exactly the files on disk now. The record next to it lists every file esbuild read (the server's
// and shared/ sources, the bundled packages, the build script) with one digest over their bytes,
// and a digest of the bundle itself; any difference means the sources moved on (an edit, a pull,
// a new `npm ci`) and the bin runs the sources through tsx instead (docs/deployment.md, "Requirements").
// Plain JavaScript because the bin must decide before tsx is loaded.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
/** Outside out/: electron-builder packs out/ into the app, which must not carry the server. */
export const SERVER_BUNDLE_DIR = 'out-server';
export const SERVER_BUNDLE_FILE = 'sealcall-server.mjs';
export const SERVER_BUNDLE_RECORD_FILE = 'sealcall-server.inputs.json';

/**
 * One digest over the inputs' names and bytes, in the order given. Throws if one cannot be read.
 * @param {string} root
 * @param {readonly string[]} inputs paths relative to root
 */
export function digestInputs(root, inputs) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    const bytes = readFileSync(path.join(root, input));
    // Length-prefixed so that no two different lists of files hash alike.
    hash.update(`${input.length}:${input}${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** @param {string} file */
export function digestFile(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * @param {unknown} value
 * @returns {value is { inputs: string[]; inputsDigest: string; bundleDigest: string }}
 */
function isRecord(value) {
  if (typeof value !== 'object' || value === null) return false;
  const { inputs, inputsDigest, bundleDigest } = /** @type {Record<string, unknown>} */ (value);
  return (
    Array.isArray(inputs) &&
    inputs.length > 0 &&
    inputs.every((input) => typeof input === 'string') &&
    typeof inputsDigest === 'string' &&
    typeof bundleDigest === 'string'
  );
}

/**
 * The bundle's absolute path if it is there and was built from the files on disk now; otherwise
 * the reason it may not run.
 * @param {string} [root]
 * @returns {{ fresh: true; bundle: string } | { fresh: false; reason: string }}
 */
export function serverBundleState(root = PROJECT_ROOT) {
  const dir = path.join(root, SERVER_BUNDLE_DIR);
  const bundle = path.join(dir, SERVER_BUNDLE_FILE);
  let text;
  try {
    text = readFileSync(path.join(dir, SERVER_BUNDLE_RECORD_FILE), 'utf8');
  } catch {
    return { fresh: false, reason: 'not built' };
  }
  /** @type {unknown} */
  let record;
  try {
    record = JSON.parse(text);
  } catch {
    record = undefined;
  }
  if (!isRecord(record)) return { fresh: false, reason: 'its record of inputs is damaged' };
  try {
    if (digestFile(bundle) !== record.bundleDigest) return { fresh: false, reason: 'the bundle is not the one built' };
    if (digestInputs(root, record.inputs) !== record.inputsDigest) return { fresh: false, reason: 'its sources changed since the build' };
  } catch {
    return { fresh: false, reason: 'the bundle or one of its sources is missing' };
  }
  return { fresh: true, bundle };
}
