/**
 * Finds the Electron binary without ever triggering its download.
 *
 * electron@45 ships no binary in the npm package: its index.js reads path.txt (written by
 * install.js after the download) and, when path.txt or the file it names is missing, runs
 * install.js synchronously to fetch the binary from the network. So merely `require('electron')`
 * from Node can hang or fail on a machine without internet. This module repeats index.js's lookup
 * (path.txt, then dist/<path>, honouring ELECTRON_OVERRIDE_DIST_PATH as index.js does) and only
 * reads the disk.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary =
  | { readonly present: true; readonly path: string; readonly version: string }
  | { readonly present: false; readonly reason: string };

export interface ElectronLookup {
  /** Folder of the installed `electron` npm package. */
  readonly packageDir: string;
  /** ELECTRON_OVERRIDE_DIST_PATH, which index.js honours. */
  readonly overrideDistPath?: string | undefined;
}

export function defaultElectronLookup(): ElectronLookup {
  const require = createRequire(import.meta.url);
  return {
    packageDir: path.dirname(require.resolve('electron/package.json')),
    overrideDistPath: process.env['ELECTRON_OVERRIDE_DIST_PATH'],
  };
}

function readTextFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const WHY =
  "electron@45 fetches its binary lazily on first run, which needs Electron's download host; machines with only the npm registry never get it";

export function findElectronBinary(lookup: ElectronLookup = defaultElectronLookup()): ElectronBinary {
  const packageJson = readTextFile(path.join(lookup.packageDir, 'package.json'));
  const version = packageJson === undefined ? 'unknown' : String((JSON.parse(packageJson) as { version?: unknown }).version);
  const relative = readTextFile(path.join(lookup.packageDir, 'path.txt'));

  if (lookup.overrideDistPath !== undefined && lookup.overrideDistPath !== '') {
    const binary = path.join(lookup.overrideDistPath, relative ?? 'electron');
    return isExecutable(binary)
      ? { present: true, path: binary, version }
      : { present: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${binary} is not an executable file` };
  }
  if (relative === undefined) {
    return {
      present: false,
      reason: `Electron ${version} binary not installed: node_modules/electron/path.txt is missing (${WHY})`,
    };
  }
  const binary = path.join(lookup.packageDir, 'dist', relative);
  if (!isExecutable(binary)) {
    return {
      present: false,
      reason: `Electron ${version} binary not installed: ${path.relative(process.cwd(), binary)} is missing (${WHY})`,
    };
  }
  return { present: true, path: binary, version };
}

/** What `npm start` and `npm run dist` say when there is no binary: what is missing, why, and what still works. */
export function explainMissingBinary(cannot: string, reason: string): string {
  return [
    `${cannot}: the Electron binary is not installed on this machine.`,
    `  ${reason}.`,
    '  Everything except the thin Electron shell still runs without it: `npm test` builds the app and',
    '  drives the real renderer and the real main-process core (electron/core) in Debian Chromium',
    '  through the e2e harness (e2e/harness/).',
    '  On a machine with internet access, `npx install-electron` fetches the binary.',
  ].join('\n');
}
