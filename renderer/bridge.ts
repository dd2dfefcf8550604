import type { SealcallBridge } from '../shared/ipc';

declare global {
  interface Window {
    /**
     * Set by the preload (or the e2e harness) before any renderer code runs. Optional because the
     * page may be opened outside Sealcall, and the UI must say so rather than crash.
     */
    readonly sealcall?: SealcallBridge;
  }
}

export function getBridge(): SealcallBridge | undefined {
  return window.sealcall;
}
