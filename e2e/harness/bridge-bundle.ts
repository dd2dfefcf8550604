import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleBrowserScript } from './browser-script';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bridge-entry.ts');

/** Builds bridge-entry.ts into one classic script for page.addInitScript. */
export function buildBridgeBundle(): Promise<string> {
  return bundleBrowserScript(entry);
}
