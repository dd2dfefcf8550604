/**
 * Bundles the Electron main process and the preload into out/electron. Run: `npx tsx scripts/build-electron.ts`.
 *
 * Both are single CommonJS files with `electron` left external: Electron loads CJS entry points,
 * and a sandboxed preload cannot load a second file at all.
 */
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'out', 'electron');

const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  external: ['electron'],
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
};

/**
 * ws's optional native speed-ups: it requires them inside try/catch and falls back to plain
 * JavaScript when they are missing, so esbuild leaves them out and the bundle still works.
 */
const OPTIONAL_NATIVE_ADDONS = ['bufferutil', 'utf-8-validate'];

/**
 * ts-mls's peers for ciphersuites group calls never use (X448, ML-KEM, X-Wing, the NIST and
 * Ed448 curves, ML-DSA): it imports them inside try and only for those suites, and 0x0003 runs on
 * WebCrypto and the pinned ChaCha20-Poly1305 peers (docs/group-calls.md, "MLS library").
 */
const UNUSED_MLS_PEERS = [
  '@hpke/dhkem-x448',
  '@hpke/ml-kem',
  '@hpke/hybridkem-x-wing',
  '@noble/curves/ed25519.js',
  '@noble/curves/ed448.js',
  '@noble/curves/nist.js',
  '@noble/post-quantum/ml-dsa.js',
];

/** External imports left in a bundle, e.g. ['electron', 'node:path']. */
function externalImports(metafile: Metafile | undefined): Set<string> {
  if (metafile === undefined) throw new Error('esbuild returned no metafile');
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) if (imported.external) found.add(imported.path);
  }
  return found;
}

async function main(): Promise<void> {
  const [mainResult, preloadResult] = await Promise.all([
    build({
      ...common,
      entryPoints: ['electron/shell/main.ts'],
      outfile: path.join(outDir, 'main.cjs'),
      platform: 'node',
      target: 'node20',
    }),
    build({
      ...common,
      entryPoints: ['electron/preload.ts'],
      outfile: path.join(outDir, 'preload.cjs'),
      // A sandboxed preload gets a browser-like environment with a tiny require() that knows only
      // 'electron' and a few polyfills; the browser platform makes esbuild refuse a Node built-in
      // at build time instead of at run time.
      platform: 'browser',
      target: 'chrome130',
    }),
  ]);

  const preloadExternals = [...externalImports(preloadResult.metafile)].filter((name) => name !== 'electron');
  if (preloadExternals.length > 0) {
    throw new Error(`the sandboxed preload may require only 'electron', but needs: ${preloadExternals.join(', ')}`);
  }
  // Bundled packages (electron-log, electron-updater) name Node built-ins without the node: prefix.
  const mainExternals = [...externalImports(mainResult.metafile)].filter(
    (name) => name !== 'electron' && !isBuiltin(name) && !OPTIONAL_NATIVE_ADDONS.includes(name) && !UNUSED_MLS_PEERS.includes(name),
  );
  if (mainExternals.length > 0) {
    throw new Error(`the main bundle must be self-contained, but leaves out: ${mainExternals.join(', ')}`);
  }
  console.log(`built ${path.relative(root, outDir)}/main.cjs and preload.cjs`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
