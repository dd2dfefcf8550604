import type { Page } from '@playwright/test';
import type { Host } from '../../electron/core/host';

export type HostKind = 'harness' | 'electron';

/** One running copy of the app, as a spec sees it, whichever host runs it. */
export interface AppUnderTest {
  readonly page: Page;
  readonly hostKind: HostKind;
  /**
   * The core itself, in the test's own process, under the harness. Undefined under Electron,
   * whose core lives in its main process; specs that need it skip the Electron project.
   */
  readonly host: Host | undefined;
  /** Console errors, uncaught exceptions and CSP violations seen since the app opened. */
  problems(): readonly string[];
}
