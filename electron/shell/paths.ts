import path from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * Where the built pieces sit relative to the bundled main process (out/electron/main.cjs). Resolved
 * from the bundle itself rather than app.getAppPath(), so it holds however Electron was started
 * and inside a packaged app alike.
 */
const outDir = path.resolve(__dirname, '..');

export const preloadPath = path.join(outDir, 'electron', 'preload.cjs');

/** The one document our window shows and the only sender IPC accepts. */
export const rendererUrl = pathToFileURL(path.join(outDir, 'renderer', 'index.html')).href;
