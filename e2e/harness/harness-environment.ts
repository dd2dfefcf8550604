import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { buildBridgeBundle } from './bridge-bundle';
import { openHarnessUser, type HarnessUser, type HarnessUserOptions } from './harness-user';
import { packageVersion } from './package-version';
import { serveDirectory, type StaticServer } from './static-server';

// SEALCALL_RENDERER_DIR: a build made with SEALCALL_RENDERER_OUT (see vite.config.ts).
const rendererDir = process.env['SEALCALL_RENDERER_DIR'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'out', 'renderer');

/**
 * What all harness users of one worker share: the browser, the served renderer and the bridge
 * script, each made on first use so that a worker of the Electron project never starts them.
 */
export class HarnessEnvironment {
  readonly #launchBrowser: () => Promise<Browser>;
  #browser: Promise<Browser> | undefined;
  #server: Promise<StaticServer> | undefined;
  #bridgeScript: Promise<string> | undefined;

  /**
   * The pages' origin serves the app's files and nothing else: as in the app, a page reaches Janus
   * only through its core (`group.janus`).
   */
  constructor(launchBrowser: () => Promise<Browser>) {
    this.#launchBrowser = launchBrowser;
  }

  /** Opens the app for one more user; each gets their own host and browser context. */
  async openUser(options: Pick<HarnessUserOptions, 'hostOptions' | 'eventFilter' | 'dataDir'> = {}): Promise<HarnessUser> {
    this.#browser ??= this.#launchBrowser();
    const [browser, server, bridgeScript] = await Promise.all([this.#browser, this.#startServer(), this.#buildBridge()]);
    return openHarnessUser(browser, { rendererUrl: server.url, bridgeScript, version: packageVersion(), ...options });
  }

  /** A page of the served renderer with no bridge at all, as if opened outside Sealcall. */
  async openBarePage(): Promise<{ page: Page; close(): Promise<void> }> {
    this.#browser ??= this.#launchBrowser();
    const [browser, server] = await Promise.all([this.#browser, this.#startServer()]);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    return { page, close: () => context.close() };
  }

  async close(): Promise<void> {
    if (this.#server !== undefined) await (await this.#server).close();
    if (this.#browser !== undefined) await (await this.#browser).close();
  }

  #startServer(): Promise<StaticServer> {
    if (!existsSync(path.join(rendererDir, 'index.html'))) {
      throw new Error(`${rendererDir}/index.html is missing: run \`npm run build\` before the e2e tests`);
    }
    this.#server ??= serveDirectory(rendererDir);
    return this.#server;
  }

  #buildBridge(): Promise<string> {
    this.#bridgeScript ??= buildBridgeBundle();
    return this.#bridgeScript;
  }
}
