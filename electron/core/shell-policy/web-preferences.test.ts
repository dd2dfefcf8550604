import { describe, expect, it } from 'vitest';
import { webPreferencesFor } from './web-preferences';

describe('webPreferencesFor', () => {
  const prefs = webPreferencesFor('/opt/Sealcall/resources/app.asar/out/electron/preload.cjs');

  it('turns every Electron safety switch on', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: false,
    });
  });

  it('enables no Blink feature and sets nothing it does not mean to', () => {
    expect(Object.keys(prefs).sort()).toEqual(
      [
        'allowRunningInsecureContent',
        'contextIsolation',
        'devTools',
        'enableWebSQL',
        'experimentalFeatures',
        'navigateOnDragDrop',
        'nodeIntegration',
        'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker',
        'plugins',
        'preload',
        'safeDialogs',
        'sandbox',
        'spellcheck',
        'webSecurity',
        'webviewTag',
      ].sort(),
    );
  });

  it('keeps the preload it is given and is frozen', () => {
    expect(prefs.preload).toBe('/opt/Sealcall/resources/app.asar/out/electron/preload.cjs');
    expect(Object.isFrozen(prefs)).toBe(true);
  });

  it('opens developer tools only when asked, and refuses an empty preload', () => {
    expect(webPreferencesFor('/x/preload.cjs', { devTools: true }).devTools).toBe(true);
    expect(() => webPreferencesFor('')).toThrow(/preload/);
  });
});
