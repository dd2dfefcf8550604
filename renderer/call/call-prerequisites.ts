import type { ResponseOf, SealcallBridge } from '../../shared/ipc';
import type { UserSettings } from '../../shared/settings-schema';
import { MediaPermissions } from './media-permissions';

type IceConfig = ResponseOf<'turn.iceServers'>;

/** TURN credentials last hours (the server's --turn-ttl, 6 h by default); the core renews them 60 s before expiry. */
const ICE_FRESH_MS = 2 * 60 * 1000;

/**
 * What every call needs before it is placed or answered (from the main process: the settings, for
 * devices and start muted, and the ICE servers with TURN credentials; from the browser: whether
 * the camera and microphone are refused), fetched ahead and kept fresh, so that no round trip
 * sits on call set-up.
 */
export class CallPrerequisites {
  readonly permissions = new MediaPermissions();
  #settings: Promise<UserSettings> | null = null;
  #ice: { value: Promise<IceConfig>; at: number } | null = null;
  readonly #unsubscribe: () => void;

  constructor(private readonly bridge: SealcallBridge) {
    this.#unsubscribe = bridge.on('settings.changed', (view) => {
      this.#settings = Promise.resolve(view.values);
      // Relay-only may have changed with them.
      this.#ice = null;
    });
    this.warm();
    this.permissions.warm();
  }

  settings(): Promise<UserSettings> {
    if (this.#settings !== null) return this.#settings;
    const fetched = this.bridge.invoke('settings.get').then((view) => view.values);
    this.#settings = fetched;
    // A failure is not kept: the next call asks again.
    fetched.catch(() => {
      if (this.#settings === fetched) this.#settings = null;
    });
    return fetched;
  }

  iceServers(): Promise<IceConfig> {
    return this.#freshIce();
  }

  /** Fetches what a call needs now (a call is ringing, or the app just started), unless fresh values are in hand. */
  warm(): void {
    this.settings().catch(() => undefined);
    this.#freshIce().catch(() => undefined);
  }

  #freshIce(): Promise<IceConfig> {
    if (this.#ice !== null && Date.now() - this.#ice.at <= ICE_FRESH_MS) return this.#ice.value;
    const value = this.bridge.invoke('turn.iceServers');
    const entry = { value, at: Date.now() };
    this.#ice = entry;
    value.catch(() => {
      if (this.#ice === entry) this.#ice = null;
    });
    return value;
  }

  dispose(): void {
    this.#unsubscribe();
  }
}
