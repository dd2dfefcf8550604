import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../electron/core/shell-policy/csp';
import { webPreferencesFor } from '../electron/core/shell-policy/web-preferences';

/*
 * There is no Electron binary here, so electron/shell is otherwise only type-checked. This boots
 * the real shell (bundled like scripts/build-electron.ts does) in plain Node against
 * tooling/fixtures/fake-electron.cjs, and checks that every guard is installed and answers from
 * core/shell-policy. It proves the wiring, not Electron's behaviour.
 */

const root = path.resolve(import.meta.dirname, '..');
let work: string;
let result: Record<string, unknown>;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'sealcall-shell-smoke-'));
  const bundle = path.join(work, 'electron', 'main.cjs');
  await build({
    entryPoints: [path.join(root, 'electron/shell/main.ts')],
    outfile: bundle,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['electron'],
    logLevel: 'error',
  });
  const output = execFileSync(process.execPath, [path.join(root, 'tooling/fixtures/shell-smoke-runner.cjs'), bundle, 'sealcall://call/bob'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FAKE_ELECTRON_HOME: path.join(work, 'home') },
    encoding: 'utf8',
    timeout: 15_000,
  });
  const line = output.trim().split('\n').at(-1) ?? '';
  result = JSON.parse(line) as Record<string, unknown>;
}, 30_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the shell, booted against a fake Electron', () => {
  it('opens its window with the policy web preferences', () => {
    const preload = path.join(work, 'electron', 'preload.cjs');
    expect(result['webPreferences']).toEqual({ ...webPreferencesFor(preload, { devTools: true }) });
    expect(result['renderer']).toBe(`file://${path.join(work, 'renderer', 'index.html')}`);
  });

  it('answers permission questions from the policy', () => {
    expect(result).toMatchObject({
      mediaOurs: true,
      mediaElsewhere: false,
      notifications: false,
      checkMedia: true,
      checkGeolocation: false,
      devicePermission: false,
    });
  });

  it('lets only our own files load, with our CSP header', () => {
    expect(result).toMatchObject({ fetchOwnAsset: true, fetchWeb: false, fetchOtherFile: false });
    expect(result['cspHeader']).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('refuses new windows, navigation away and webviews', () => {
    expect(result).toMatchObject({ windowOpen: { action: 'deny' }, navigationPrevented: true, webviewPrevented: true });
  });

  it('refuses a screen share while the host has no picker, and never uses the system picker', () => {
    expect(result).toMatchObject({ displayMedia: null, displayMediaOptions: { useSystemPicker: false } });
  });

  it('serves IPC to our main frame only', () => {
    expect(result['ipc']).toMatchObject({ ok: true, value: { host: 'electron', version: '0.0.0-smoke' } });
    expect(result['ipcFromSubframe']).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });

  it('hides the window on close and quits without asking when no call is on', () => {
    expect(result).toMatchObject({ closeHid: true, quitHeldWithoutCall: false });
  });

  it('shows presence in the tray', () => {
    expect(result['tray']).toEqual({ tooltip: 'Sealcall — Offline', items: ['Offline', 'separator', 'Show Sealcall', 'separator', 'Quit Sealcall'] });
  });

  it('sandboxes every renderer, registers sealcall:// and explains a bad link', () => {
    expect(result['calls']).toEqual(
      expect.arrayContaining([['app.enableSandbox'], ['app.setAsDefaultProtocolClient', 'sealcall'], ['dialog.showMessageBox', 'Sealcall cannot open this link']]),
    );
  });

  it('logs to a file, without the refused link or any enrollment code', () => {
    const log = readFileSync(path.join(work, 'home', 'logs', 'main.log'), 'utf8');
    expect(log).toContain('deep link refused: bad-user-id');
    expect(log).toContain('call link for bob');
    expect(log).not.toContain('Eve');
    expect(log).toMatch(/identity key: not using the OS keychain/);
  });
});
