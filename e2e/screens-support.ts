import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';
import type { HarnessEnvironment } from './harness/harness-environment';
import type { HostKind } from './harness/app-under-test';

/**
 * Screenshots of one screen in light and dark, attached to the test's report and kept in its
 * output folder, so that a person can look at every core screen in both schemes.
 */
export async function snapBothSchemes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const path = testInfo.outputPath(`${name}-${colorScheme}.png`);
    await page.screenshot({ path, animations: 'disabled' });
    await testInfo.attach(`${name} (${colorScheme})`, { path, contentType: 'image/png' });
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
}

/**
 * axe-core on what the page shows now: no serious or critical violation. Everything in light; in
 * dark only what the scheme changes (contrast), which keeps the second pass cheap.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    // Legacy mode runs axe in the page itself. The default mode opens a blank page per scan to merge
    // the results of frames the renderer does not have: seconds each on the shared 2-core machine.
    const builder = new AxeBuilder({ page }).setLegacyMode();
    const results = await (colorScheme === 'dark' ? builder.withRules(['color-contrast']) : builder).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id} (${violation.impact ?? '?'}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
    expect(serious, `${what} in ${colorScheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
}

/**
 * Launches the worker's browser, static server and bridge bundle before the first test, so that
 * their one-off cost (seconds, on a busy machine) is not charged to whichever test comes first.
 */
export async function warmHarness({ harness, hostKind }: { harness: HarnessEnvironment; hostKind: HostKind }): Promise<void> {
  if (hostKind !== 'harness') return;
  const user = await harness.openUser();
  await user.close();
}

/** The Electron window's default size (electron/shell/window.ts): the screens are judged at it. */
export const WINDOW_SIZE = { width: 1100, height: 760 };

export { TEST_PASSPHRASE } from './harness/company';

/** Opens a contact's safety number from the contact list and marks it verified; resolves once the list shows the badge. */
export async function markVerifiedFromList(page: Page, displayName: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^${displayName}`) }).click();
  await page.getByRole('button', { name: 'View safety number' }).click();
  await page.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(page.getByRole('list', { name: 'Contacts' }).getByRole('listitem').filter({ hasText: displayName })).toContainText('Verified');
}
