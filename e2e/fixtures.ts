import { test as base } from '@playwright/test';
import { findElectronBinary } from '../scripts/electron-binary';
import type { AppUnderTest, HostKind } from './harness/app-under-test';
import { electronSkipReason, openElectronApp } from './harness/electron-app';
import { Company, type CompanyUser } from './harness/company';
import { HarnessEnvironment } from './harness/harness-environment';

export { expect } from '@playwright/test';
export type { AppUnderTest, HostKind } from './harness/app-under-test';

interface TestFixtures {
  /** The app with its own host, ready on its first screen: `test('…', async ({ app }) => …)`. */
  app: AppUnderTest;
  /** A real server process with its own database; users come from `company.enrolledUser(…)`. Harness only. */
  company: Company;
  /** "Two enrolled users, both online, who see each other", in one line. Harness only. */
  twoUsers: { alice: CompanyUser; bob: CompanyUser; company: Company };
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

  company: async ({ hostKind, harness }, use, testInfo) => {
    testInfo.skip(hostKind === 'electron', 'needs the core in the test process (harness only)');
    const company = await Company.open(harness);
    await use(company);
    await company.close();
  },

  twoUsers: async ({ company }, use) => {
    const alice = await company.enrolledUser('alice', 'Alice Archer');
    const bob = await company.enrolledUser('bob', 'Bob Baker');
    await company.seeEachOther(alice, bob);
    await use({ alice, bob, company });
  },

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
