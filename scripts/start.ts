/**
 * `npm start`: launches the built app in Electron. Run after `npm run build` (the npm script does).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { explainMissingBinary, findElectronBinary } from './electron-binary';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electron = findElectronBinary();

if (!electron.present) {
  console.error(explainMissingBinary('Cannot start Sealcall', electron.reason));
  process.exit(1);
}

// '.' (the package root, not out/electron/main.cjs) so Electron reads package.json: the app's
// name, and so its userData folder, and the version the UI shows come from there.
const child = spawn(electron.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 0 : 1));
});
