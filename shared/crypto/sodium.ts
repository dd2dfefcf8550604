import sodiumModule from 'libsodium-wrappers-sumo';
import { CryptoError } from './errors';

/** The libsodium API once its WebAssembly has loaded. */
export type Sodium = typeof sodiumModule;

let ready: Promise<Sodium> | undefined;
let loaded: Sodium | undefined;

/**
 * The one place that waits for libsodium. Every process awaits this once at start-up (the main
 * process, the server, a worker), so callers never touch a half-initialised module: its functions
 * exist before `ready` but fail in confusing ways.
 */
export function loadSodium(): Promise<Sodium> {
  ready ??= sodiumModule.ready.then(() => {
    loaded = sodiumModule;
    return sodiumModule;
  });
  return ready;
}

/**
 * libsodium for synchronous APIs (the safety number is one). It throws a clear error instead of
 * misbehaving when the process forgot to await `loadSodium()` first.
 */
export function sodiumNow(): Sodium {
  if (loaded === undefined) {
    throw new CryptoError('crypto-not-ready', 'libsodium is not loaded yet: await loadSodium() at start-up');
  }
  return loaded;
}
