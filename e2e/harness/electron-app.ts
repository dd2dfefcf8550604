import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from '@playwright/test';
import type { ElectronBinary } from '../../scripts/electron-binary';
import type { AppUnderTest } from './app-under-test';
import { REPORT_CSP_VIOLATIONS, watchPageProblems } from './page-problems';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Why the Electron project cannot run here, or undefined when it can. */
export function electronSkipReason(binary: ElectronBinary): string | undefined {
  if (!binary.present) return binary.reason;
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return 'no display to open an Electron window on; run the suite under xvfb-run';
  }
  return undefined;
}

export interface ElectronUser extends AppUnderTest {
  readonly electronApp: ElectronApplication;
  close(): Promise<void>;
}

/** Launches the built app (out/electron/main.cjs through package.json) on a throwaway profile. */
export async function openElectronApp(): Promise<ElectronUser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'sealcall-electron-'));
  // '.' rather than the bundle's path, so Electron reads package.json for the app's name and
  // version, as the packaged app does. No executablePath: Playwright then resolves the binary
  // through electron's index.js (present, as the caller checked) and preloads its own loader.
  const electronApp = await _electron.launch({
    args: ['.', `--user-data-dir=${userDataDir}`],
    cwd: root,
  });
  await electronApp.context().addInitScript({ content: REPORT_CSP_VIOLATIONS });
  const page = await electronApp.firstWindow();
  const problems = watchPageProblems(page);
  // The first load ran before anything here was listening; load again so the watch sees it all.
  await page.reload();

  return {
    page,
    electronApp,
    hostKind: 'electron',
    host: undefined,
    problems,
    async close() {
      await electronApp.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
