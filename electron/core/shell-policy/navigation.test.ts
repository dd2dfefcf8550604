import { describe, expect, it } from 'vitest';
import { isDownloadAllowed, isNavigationAllowed, isRequestAllowed, windowOpenDecision } from './navigation';

const renderer = 'file:///opt/Sealcall/resources/app.asar/out/renderer/index.html';
const winRenderer = 'file:///C:/Program%20Files/Sealcall/resources/app.asar/out/renderer/index.html';
const dev = { devTools: true };
const prod = { devTools: false };

describe('navigation', () => {
  it('lets the main frame reload our document, with any route', () => {
    expect(isNavigationAllowed({ url: renderer, isMainFrame: true }, renderer)).toBe(true);
    expect(isNavigationAllowed({ url: `${renderer}?view=calls#x`, isMainFrame: true }, renderer)).toBe(true);
  });

  it('refuses the web, other files, other schemes and every subframe', () => {
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/other.html',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'sealcall://call/bob',
    ]) {
      expect(isNavigationAllowed({ url, isMainFrame: true }, renderer), url).toBe(false);
    }
    expect(isNavigationAllowed({ url: renderer, isMainFrame: false }, renderer)).toBe(false);
  });

  it('never opens a window and never downloads', () => {
    expect(windowOpenDecision()).toEqual({ action: 'deny' });
    expect(isDownloadAllowed()).toBe(false);
  });
});

describe('isRequestAllowed', () => {
  it("serves the renderer's own files and blobs", () => {
    for (const url of [
      renderer,
      'file:///opt/Sealcall/resources/app.asar/out/renderer/assets/index-abc123.js',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/favicon.svg',
      'blob:file:///4f1c-uuid',
    ]) {
      expect(isRequestAllowed(url, renderer, prod), url).toBe(true);
    }
    expect(isRequestAllowed('file:///C:/Program%20Files/Sealcall/resources/app.asar/out/renderer/assets/a.js', winRenderer, prod)).toBe(true);
  });

  it('refuses the network, whatever the scheme', () => {
    for (const url of ['https://example.com/x.js', 'http://127.0.0.1:8787/', 'wss://sealcall.example.com/ws', 'ftp://x/', 'data:text/plain,hi', 'chrome://gpu']) {
      expect(isRequestAllowed(url, renderer, dev), url).toBe(false);
    }
  });

  it('refuses files outside the renderer folder, however the path is dressed up', () => {
    for (const url of [
      'file:///etc/passwd',
      'file:///opt/Sealcall/resources/app.asar/out/electron/main.cjs',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/../electron/main.cjs',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/%2e%2e/electron/main.cjs',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/..%2F..%2F..%2Fetc/passwd',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/..%5C..%5Cetc',
      'file:///opt/Sealcall/resources/app.asar/out/renderer-evil/x.js',
      'file://otherhost/opt/Sealcall/resources/app.asar/out/renderer/index.html',
      'file:///opt/Sealcall/resources/app.asar/out/renderer/%E0%A4%A',
    ]) {
      expect(isRequestAllowed(url, renderer, prod), url).toBe(false);
    }
  });

  it('lets DevTools load only while they are enabled', () => {
    expect(isRequestAllowed('devtools://devtools/bundled/inspector.html', renderer, dev)).toBe(true);
    expect(isRequestAllowed('devtools://devtools/bundled/inspector.html', renderer, prod)).toBe(false);
  });

  it('refuses garbage', () => {
    expect(isRequestAllowed('not a url', renderer, dev)).toBe(false);
    expect(isRequestAllowed(renderer, 'not a url', dev)).toBe(false);
  });
});
