/**
 * The e2e harness, outside Playwright's test runner, for the browser benchmarks: Debian's Chromium
 * with the harness's flags, the built renderer (SEALCALL_RENDERER_DIR, else out/renderer: `npm run
 * bench` builds it first), a real server process and two users enrolled through invite links.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/harness/chromium-args';
import { Company, type CompanyUser } from '../e2e/harness/company';
import { HarnessEnvironment } from '../e2e/harness/harness-environment';

/** BENCH_QUICK=1: a few iterations, to check that the benchmarks run, not to quote figures. */
export const QUICK = process.env['BENCH_QUICK'] === '1';

/** The build the harness serves; the same rule as e2e/harness/harness-environment.ts. */
export const RENDERER_DIR = process.env['SEALCALL_RENDERER_DIR'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'renderer');

/*
 * tsx compiles bench/ with esbuild's keepNames, which wraps named functions in a `__name(…)`
 * helper that exists only in Node. Functions handed to page.evaluate run in the page, so the page
 * gets a stand-in that leaves each function as it is.
 */
const NAME_HELPER = 'globalThis.__name ??= (fn) => fn;';

export interface BenchCompany {
  readonly browser: Browser;
  readonly harness: HarnessEnvironment;
  readonly alice: CompanyUser;
  readonly bob: CompanyUser;
  /** A page of the served renderer's origin in a context of its own, with no bridge (for the floors). */
  openBarePage(): Promise<{ page: Page; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** Lets page.evaluate take functions compiled by tsx, in this page and in every later one of its context. */
export async function allowTsxFunctions(page: Page): Promise<void> {
  await page.context().addInitScript({ content: NAME_HELPER });
  await page.evaluate(NAME_HELPER);
}

/** Alice and Bob, enrolled on a fresh server, online and seeing each other. */
export async function openBenchCompany(): Promise<BenchCompany> {
  let launched: Browser | undefined;
  const harness = new HarnessEnvironment(async () => {
    launched = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    return launched;
  });
  const company = await Company.open(harness);
  try {
    const alice = await company.enrolledUser('alice', 'Alice Archer');
    const bob = await company.enrolledUser('bob', 'Bob Baker');
    await company.seeEachOther(alice, bob);
    await Promise.all([allowTsxFunctions(alice.page), allowTsxFunctions(bob.page)]);
    const browser = launched;
    if (browser === undefined) throw new Error('the harness opened users without launching a browser');
    return {
      browser,
      harness,
      alice,
      bob,
      async openBarePage() {
        const bare = await harness.openBarePage();
        await allowTsxFunctions(bare.page);
        return bare;
      },
      async close() {
        await company.close();
        await harness.close();
      },
    };
  } catch (error) {
    await company.close().catch(() => undefined);
    await harness.close();
    throw error;
  }
}
