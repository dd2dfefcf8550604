import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: path.join(root, 'renderer'),
  // Relative asset URLs, so the same build loads from file:// in Electron and from the harness's
  // http://127.0.0.1 server alike.
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'out', 'renderer'),
    emptyOutDir: true,
    // Below the Chromium of Electron 45 and of Debian's test browser alike; syntax only.
    target: 'chrome140',
    // Inlined assets would need data: in the CSP; keep every asset a file of our own.
    assetsInlineLimit: 0,
    // Vite's modulepreload polyfill is for old browsers only and injects code we do not need.
    modulePreload: { polyfill: false },
  },
});
