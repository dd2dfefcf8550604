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
  // simple-peer (through readable-stream) reads Node's `global`; the page's is globalThis. Its
  // `process` comes from renderer/call/node-shims.ts, and `events` from the installed package.
  define: { global: 'globalThis' },
  // The frame-crypto worker is a classic worker (an IIFE bundle): module workers from file:// are
  // not something to rely on in the packaged app.
  worker: { format: 'iife' },
  build: {
    // SEALCALL_RENDERER_OUT lets parallel work build side by side without sharing out/.
    outDir: process.env['SEALCALL_RENDERER_OUT'] ?? path.join(root, 'out', 'renderer'),
    emptyOutDir: true,
    // Below the Chromium of Electron 45 and of Debian's test browser alike; syntax only.
    target: 'chrome140',
    // Inlined assets would need data: in the CSP; keep every asset a file of our own.
    assetsInlineLimit: 0,
    // Vite's modulepreload polyfill is for old browsers only and injects code we do not need.
    modulePreload: { polyfill: false },
    // One bundle read from the app's own disk, not over a network: splitting it buys nothing.
    chunkSizeWarningLimit: 1024,
  },
});
