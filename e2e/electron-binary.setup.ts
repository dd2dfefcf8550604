import { test } from '@playwright/test';
import { findElectronBinary } from '../scripts/electron-binary';
import { electronSkipReason } from './harness/electron-app';

/*
 * The Electron project depends on this one test, so its reason for skipping is printed once per
 * run, and only when the Electron project was asked for, instead of once per test.
 */
test('the Electron binary can run here', () => {
  const reason = electronSkipReason(findElectronBinary());
  if (reason !== undefined) console.log(`[electron] every test in this project is skipped: ${reason}.`);
  test.skip(reason !== undefined, reason);
});
