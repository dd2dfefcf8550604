/**
 * What only the embedding process can give the core. The Electron shell fills these from Electron
 * APIs; the e2e harness fills them with plain Node stand-ins.
 *
 * The main-process issue adds the SecretSealer (seal/open bytes), the notify sink (OS
 * notifications) and the enterprise-config port here.
 */
export interface HostPorts {
  /** Who is hosting the core: the shipped app, or the e2e harness in a Playwright worker. */
  readonly kind: 'electron' | 'harness';
  /** The app's version, as the user sees it. */
  readonly version: string;
  /** Where the core keeps its files; the shell passes Electron's userData, the harness a temp dir. */
  readonly dataDir: string;
}
