/*
 * Keeps a connected call alive through a network change or a short outage. When ICE reports the
 * path as disconnected or failed, the offering side restarts ICE (new credentials, new candidates,
 * same DTLS session and keys: no new handshake, no new short code) and keeps retrying while the
 * path stays down; if nothing comes back within the recovery window, the call is given up as
 * "connection lost". Chromium flips to 'disconnected' for a moment on a busy network and back on
 * its own, so the first restart waits a little.
 */

export interface IceRecoveryTiming {
  /** A 'disconnected' this short often heals by itself: restart only after it. */
  restartAfterMs: number;
  /** While still down, another restart this often (new candidates from a network that came back). */
  restartEveryMs: number;
  /** Down for this long: the call is over. */
  giveUpAfterMs: number;
}

export const ICE_RECOVERY_TIMING: IceRecoveryTiming = { restartAfterMs: 2_000, restartEveryMs: 5_000, giveUpAfterMs: 18_000 };

export interface IceRecoveryActions {
  /** Starts an ICE restart; false when this side cannot (it is not the offerer). */
  restart(): boolean;
  /** `reconnecting` changed. */
  changed(): void;
  giveUp(): void;
}

export class IceRecovery {
  #downSince: number | null = null;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  #restarts = 0;
  #disposed = false;

  constructor(
    private readonly actions: IceRecoveryActions,
    private readonly timing: IceRecoveryTiming = ICE_RECOVERY_TIMING,
  ) {}

  /** The media path is down and being recovered. */
  get reconnecting(): boolean {
    return this.#downSince !== null;
  }

  /** ICE restarts this side has started, over the whole call. */
  get restarts(): number {
    return this.#restarts;
  }

  observe(state: RTCIceConnectionState): void {
    if (this.#disposed) return;
    if (state === 'connected' || state === 'completed') {
      if (this.#downSince === null) return;
      this.#clear();
      this.#downSince = null;
      this.actions.changed();
      return;
    }
    if (state !== 'disconnected' && state !== 'failed') return;
    if (this.#downSince === null) {
      this.#downSince = Date.now();
      this.#giveUpTimer = setTimeout(() => {
        this.#clear();
        this.actions.giveUp();
      }, this.timing.giveUpAfterMs);
      this.actions.changed();
    }
    // 'failed' will not heal by itself: restart now rather than at the next tick.
    if (state === 'failed') {
      clearTimeout(this.#restartTimer);
      this.#restartTimer = undefined;
      this.#restart();
    } else {
      this.#restartTimer ??= setTimeout(() => {
        this.#restart();
      }, this.timing.restartAfterMs);
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#clear();
  }

  #restart(): void {
    if (this.#disposed || this.#downSince === null) return;
    if (this.actions.restart()) this.#restarts++;
    this.#restartTimer = setTimeout(() => {
      this.#restart();
    }, this.timing.restartEveryMs);
  }

  #clear(): void {
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#giveUpTimer);
    this.#restartTimer = undefined;
    this.#giveUpTimer = undefined;
  }
}
