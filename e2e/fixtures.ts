import { test as base } from '@playwright/test';
import { findElectronBinary } from '../scripts/electron-binary';
import type { AppUnderTest, HostKind } from './harness/app-under-test';
import { electronSkipReason, openElectronApp } from './harness/electron-app';
import { HarnessEnvironment } from './harness/harness-environment';

export { expect } from '@playwright/test';
export type { AppUnderTest, HostKind } from './harness/app-under-test';

interface TestFixtures {
  /** The app with its own host, ready on its first screen: `test('…', async ({ app }) => …)`. */
  app: AppUnderTest;
}

interface WorkerFixtures {
  /** Which host runs the app: set per project in playwright.config.ts. */
  hostKind: HostKind;
  /** The harness's shared pieces (browser, served renderer, bridge script); `harness.openUser()` opens one more user. */
  harness: HarnessEnvironment;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  hostKind: ['harness', { option: true, scope: 'worker' }],

  harness: [
    // Launches its own browser rather than taking Playwright's `browser` fixture, which would
    // launch one eagerly even in Electron workers, where no browser is configured.
    async ({ playwright, launchOptions, headless }, use) => {
      const environment = new HarnessEnvironment(() => playwright.chromium.launch({ ...launchOptions, headless }));
      await use(environment);
      await environment.close();
    },
    { scope: 'worker' },
  ],

  app: async ({ hostKind, harness }, use, testInfo) => {
    if (hostKind === 'electron') {
      const reason = electronSkipReason(findElectronBinary());
      testInfo.skip(reason !== undefined, reason);
      const app = await openElectronApp();
      await use(app);
      await app.close();
      return;
    }
    const user = await harness.openUser();
    await use(user);
    await user.close();
  },
});
