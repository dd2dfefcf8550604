/**
 * Bundles the server (server/cli.ts and everything it imports, packages included) into
 * out-server/sealcall-server.mjs, with a record of every file it was built from, so that
 * bin/sealcall-server.js runs it only while it matches them. Run: `npm run build:server` (part of
 * `npm run build`). The test runners call ensureServerBundle first, so an edit is never tested
 * through a stale bundle.
 *
 * One file, packages included: a server start then takes about a third of the CPU time tsx needs
 * to compile the sources, and about half of loading the packages file by file
 * (docs/deployment.md, "Requirements").
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import {
  PROJECT_ROOT,
  SERVER_BUNDLE_DIR,
  SERVER_BUNDLE_FILE,
  SERVER_BUNDLE_RECORD_FILE,
  digestFile,
  digestInputs,
  serverBundleState,
} from '../bin/server-bundle.js';

/** better-sqlite3 loads its compiled addon from its own folder; ws's optional native speed-ups are required inside try/catch. */
const LEFT_EXTERNAL = ['better-sqlite3', 'bufferutil', 'utf-8-validate'];

/** The files that decide how the bundle is made: a change to them is a change to the bundle. */
const BUILD_FILES = [fileURLToPath(import.meta.url), path.join(PROJECT_ROOT, 'bin', 'server-bundle.js')];

function externalImports(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) if (imported.external) found.add(imported.path);
  }
  return [...found];
}

/**
 * Builds `entry` (relative to `root`) into root/out-server and returns the bundle's path. Writes
 * the bundle and then its record each under a temporary name and renames them into place, so a
 * server starting meanwhile sees either the old pair or a mismatch (and runs the sources).
 */
export async function buildServerBundle(root: string = PROJECT_ROOT, entry = 'server/cli.ts'): Promise<string> {
  const dir = path.join(root, SERVER_BUNDLE_DIR);
  const bundle = path.join(dir, SERVER_BUNDLE_FILE);
  const partial = `.${String(process.pid)}.partial`;
  mkdirSync(dir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: bundle + partial,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: LEFT_EXTERNAL,
    // CommonJS packages inside an ES module: their require() of Node built-ins and their
    // __dirname need the real ones.
    banner: { js: "import { createRequire as sealcallCreateRequire } from 'node:module';\nconst require = sealcallCreateRequire(import.meta.url);" },
    define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
    metafile: true,
    logLevel: 'warning',
  });
  const unexpected = externalImports(result.metafile).filter((name) => !isBuiltin(name) && !LEFT_EXTERNAL.includes(name));
  if (unexpected.length > 0) throw new Error(`the server bundle must be self-contained, but leaves out: ${unexpected.join(', ')}`);

  const inputs = [...Object.keys(result.metafile.inputs), ...BUILD_FILES.map((file) => path.relative(root, file))];
  const record = { inputs, inputsDigest: digestInputs(root, inputs), bundleDigest: digestFile(bundle + partial) };
  writeFileSync(path.join(dir, SERVER_BUNDLE_RECORD_FILE + partial), `${JSON.stringify(record, null, 1)}\n`);
  renameSync(bundle + partial, bundle);
  renameSync(path.join(dir, SERVER_BUNDLE_RECORD_FILE + partial), path.join(dir, SERVER_BUNDLE_RECORD_FILE));
  return bundle;
}

/** Builds the server bundle unless the one there matches the sources; the test runners' global setup. */
export default async function ensureServerBundle(): Promise<void> {
  const state = serverBundleState();
  if (state.fresh) return;
  await buildServerBundle();
  console.log(`server bundle rebuilt (${state.reason}): ${path.join(SERVER_BUNDLE_DIR, SERVER_BUNDLE_FILE)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bundle = await buildServerBundle();
  console.log(`built ${path.relative(PROJECT_ROOT, bundle)}`);
}
