import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { eventChannels, IpcError, isEventChannel, toErrorResult } from '../../shared/ipc';
import { createHost, type Host, type HostOptions } from '../../electron/core/host';
import { PWHASH_INTERACTIVE } from '../../electron/core/keystore/passphrase-sealer';
import type { CoreTuning } from '../../electron/core/session/sealcall-core';
import type { AppUnderTest } from './app-under-test';
import { harnessCaptureSources } from './capture-sources';
import { INVOKE_BINDING } from './page-globals';
import { reportCspViolations, watchPageProblems } from './page-problems';

export interface HarnessUserOptions {
  /** Where the built renderer is served. */
  readonly rendererUrl: string;
  /** The bridge init script (bridge-bundle.ts). */
  readonly bridgeScript: string;
  readonly version: string;
  /** Lets a spec swap handlers into this user's host. */
  readonly hostOptions?: HostOptions;
  /**
   * Rewrites an event on its way to the page: the test-only way to hand one side a wrong key,
   * without any test code in the app itself.
   */
  readonly eventFilter?: (event: string, payload: unknown) => unknown;
  /** Reuse a data directory (a restart of the same user); a fresh temp one otherwise. */
  readonly dataDir?: string;
}

/** One user of the app under the harness: their own host, data dir and browser context. */
export interface HarnessUser extends AppUnderTest {
  readonly context: BrowserContext;
  readonly host: Host;
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * Opens the app for one user: a fresh host on a temp data dir, wired to a fresh browser context
 * the way the shell wires Electron (requests from the top frame only, events out to every page).
 * Two users are two calls, each with its own context, so they share nothing but the server.
 */
/**
 * The cheap Argon2id cost, and a caller who lets a call ring as long as the test company's server
 * does (RING_FOR in company.ts): specs look at a ringing call for as long as a busy machine makes
 * that take. Specs about the ring timeout use a server with a short --invite-timeout.
 */
export const HARNESS_RING_MS = 600_000;
export const HARNESS_TUNING: CoreTuning = { pwhash: PWHASH_INTERACTIVE, timeouts: { ringTimeoutMs: HARNESS_RING_MS } };

export async function openHarnessUser(browser: Browser, options: HarnessUserOptions): Promise<HarnessUser> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'sealcall-harness-')));
  // No OS keychain in the harness: the passphrase sealer, as on a Linux desktop without one.
  const host = createHost(
    {
      kind: 'harness',
      version: options.version,
      dataDir,
      osSealer: null,
      enterpriseConfigPath: path.join(dataDir, 'no-enterprise-config.json'),
      captureSources: harnessCaptureSources,
    },
    { tuning: HARNESS_TUNING, ...options.hostOptions },
  );
  const context = await browser.newContext();

  await context.exposeBinding(INVOKE_BINDING, async (source, channel: unknown, payload: unknown) => {
    // The shell's sender check, in the harness's terms: only our own top-level document may call.
    if (source.frame !== source.page.mainFrame() || !isServedRenderer(source.frame.url(), options.rendererUrl)) {
      return toErrorResult(new IpcError('forbidden-sender', 'this frame may not talk to Sealcall'));
    }
    return host.invoke(channel, payload);
  });
  const unsubscribes = Object.keys(eventChannels)
    .filter(isEventChannel)
    .map((event) =>
      host.on(event, (payload) => {
        const delivered = options.eventFilter ? options.eventFilter(event, payload) : payload;
        for (const page of context.pages()) void dispatchToPage(page, event, delivered);
      }),
    );
  await reportCspViolations(context);
  await context.addInitScript({ content: options.bridgeScript });

  const page = await context.newPage();
  const problems = watchPageProblems(page);
  // What the shell does on 'render-process-gone': the page held the call, so the call is over.
  page.on('close', () => {
    host.rendererGone();
  });
  page.on('crash', () => {
    host.rendererGone();
  });
  await page.goto(options.rendererUrl);

  return {
    page,
    context,
    host,
    dataDir,
    hostKind: 'harness',
    problems,
    async close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      await context.close();
      await host.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function isServedRenderer(url: string, rendererUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(rendererUrl).origin;
  } catch {
    return false;
  }
}

async function dispatchToPage(page: Page, event: string, payload: unknown): Promise<void> {
  try {
    await page.evaluate(
      ([name, data]) => {
        window.__sealcallDispatch?.(name, data);
      },
      [event, payload] as const,
    );
  } catch {
    // The page closed or navigated away; it has no subscribers left to tell.
  }
}
