/**
 * `npm run dist`: the installers (build/electron-builder.yml). Needs the Electron binary, so it
 * checks for it first and stops with the same explanation as `npm start`; then builds the app and
 * runs electron-builder. Extra arguments go to electron-builder, e.g. `npm run dist -- --linux deb`.
 *
 * For the host platform, electron-builder packages the Electron already in node_modules instead of
 * downloading it again. electron-builder still fetches its own tools on first use (NSIS, WiX, fpm
 * for deb and rpm, the Electron zip for another platform), so a dist machine needs internet.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultElectronLookup, explainMissingBinary, findElectronBinary } from './electron-binary';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const lookup = defaultElectronLookup();
const electron = findElectronBinary(lookup);
if (!electron.present) {
  console.error(explainMissingBinary('Cannot build the Sealcall installers', electron.reason));
  process.exit(1);
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const extra = process.argv.slice(2);
const platformFlags = ['--linux', '-l', '--win', '-w', '--windows', '--mac', '-m', '--macos'];
// An explicit platform may not be this one, so electron-builder fetches the matching Electron itself.
const platformChosen = extra.some((arg) => platformFlags.includes(arg));
const electronDist = lookup.overrideDistPath !== undefined && lookup.overrideDistPath !== '' ? lookup.overrideDistPath : path.join(lookup.packageDir, 'dist');

run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build']);
run(process.execPath, [
  require.resolve('electron-builder/cli.js'),
  '--config',
  'build/electron-builder.yml',
  '--publish',
  'never',
  ...(platformChosen ? [] : [`-c.electronDist=${electronDist}`]),
  ...extra,
]);
