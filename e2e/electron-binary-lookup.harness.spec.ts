import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findElectronBinary } from '../scripts/electron-binary';
import { expect, test } from './fixtures';

// Plain Node, no page: the detection that decides whether the Electron project runs. It lives with
// the e2e specs because Vitest does not collect scripts/.

let packageDir: string;

test.beforeEach(async () => {
  packageDir = await mkdtemp(path.join(tmpdir(), 'sealcall-electron-pkg-'));
  await writeFile(path.join(packageDir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }));
});

test.afterEach(async () => {
  await rm(packageDir, { recursive: true, force: true });
});

async function installFakeBinary(dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const binary = path.join(dir, name);
  await writeFile(binary, '#!/bin/sh\n');
  await chmod(binary, 0o755);
  return binary;
}

test('a fresh npm install, with no download yet, has no binary', () => {
  const found = findElectronBinary({ packageDir });
  expect(found.present).toBe(false);
  expect(!found.present && found.reason).toContain('path.txt is missing');
});

test('path.txt naming a file that is not there means no binary', async () => {
  await writeFile(path.join(packageDir, 'path.txt'), 'electron');
  const found = findElectronBinary({ packageDir });
  expect(found.present).toBe(false);
});

test('a downloaded binary is found where path.txt says', async () => {
  await writeFile(path.join(packageDir, 'path.txt'), 'electron');
  const binary = await installFakeBinary(path.join(packageDir, 'dist'), 'electron');
  expect(findElectronBinary({ packageDir })).toEqual({ present: true, path: binary, version: '45.5.0' });
});

test('ELECTRON_OVERRIDE_DIST_PATH wins, as in electron/index.js', async () => {
  const override = path.join(packageDir, 'elsewhere');
  const binary = await installFakeBinary(override, 'electron');
  expect(findElectronBinary({ packageDir, overrideDistPath: override })).toMatchObject({ present: true, path: binary });
  expect(findElectronBinary({ packageDir, overrideDistPath: path.join(packageDir, 'nowhere') }).present).toBe(false);
});
