/**
 * The webPreferences of every Sealcall window, as plain data: the shell passes them to
 * BrowserWindow unchanged, so what the tests check is what runs.
 *
 * The renderer shows only our own built files and reaches the main process only through the
 * preload's window.sealcall, so it needs no Node, no remote content and no Chromium extras.
 */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly experimentalFeatures: false;
  readonly enableWebSQL: false;
  readonly plugins: false;
  readonly navigateOnDragDrop: false;
  /** Spellcheck would send typed text (names, safety numbers) to a dictionary service on some OSes. */
  readonly spellcheck: false;
  /** A page that loops alert() cannot lock the user out of the window. */
  readonly safeDialogs: true;
  readonly devTools: boolean;
}

export interface WebPreferencesOptions {
  /** Developer tools: for unpackaged development builds only. */
  readonly devTools?: boolean;
}

export function webPreferencesFor(preloadPath: string, options: WebPreferencesOptions = {}): SecureWebPreferences {
  if (preloadPath === '') throw new Error('the preload path is empty');
  return Object.freeze({
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    enableWebSQL: false,
    plugins: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: options.devTools ?? false,
  });
}
