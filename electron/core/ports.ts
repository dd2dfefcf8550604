import type { CaptureSource } from './shell-policy/display-media';

/**
 * What only the embedding process can give the core. The Electron shell fills these from Electron
 * APIs; the e2e harness fills them with plain Node stand-ins.
 */
export interface HostPorts {
  /** Who is hosting the core: the shipped app, or the e2e harness in a Playwright worker. */
  readonly kind: 'electron' | 'harness';
  /** The app's version, as the user sees it. */
  readonly version: string;
  /** Where the core keeps its files; the shell passes Electron's userData, the harness a temp dir. */
  readonly dataDir: string;
  /**
   * The OS keychain's sealer (Electron safeStorage), or null where it is unavailable or insecure
   * (Linux `basic_text`): the core then asks the user for a passphrase and uses its own sealer.
   */
  readonly osSealer?: SecretSealer | null;
  /** OS notifications and the tray; the harness records them. */
  readonly notify?: NotifySink;
  /** Where the system-wide enterprise config file is; undefined means the platform's default path. */
  readonly enterpriseConfigPath?: string;
  /**
   * The screens and windows that could be shared now, with thumbnails: desktopCapturer in the
   * shell, a fixed stand-in in the harness. Undefined where screen sharing is not possible.
   */
  readonly captureSources?: () => Promise<readonly CaptureSource[]>;
}

/**
 * Seals and opens small secrets (the identity key). Implementations never fall back to plaintext:
 * when they cannot seal, they throw.
 */
export interface SecretSealer {
  /** Stored with the sealed bytes so the core knows which sealer opens them. */
  readonly kind: 'os-keychain' | 'passphrase';
  /** A human-readable backend name for diagnostics, e.g. "gnome_libsecret" or "argon2id+xsalsa20poly1305". */
  readonly backend: string;
  seal(plaintext: Uint8Array): Promise<Uint8Array>;
  open(sealed: Uint8Array): Promise<Uint8Array>;
}

/** What the core asks the OS to show; the shell turns it into a Notification and tray state. */
export type Notification =
  | { kind: 'incoming-call'; callId: string; fromId: string; fromName: string; video: boolean; keyChanged: boolean }
  | { kind: 'missed-call'; fromId: string; fromName: string }
  | { kind: 'call-ended'; callId: string };

export interface NotifySink {
  show(notification: Notification): void;
  presence(state: 'online' | 'busy' | 'offline' | 'connecting'): void;
}
