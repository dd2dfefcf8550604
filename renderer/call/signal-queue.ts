import type { SignalData } from '../../shared/protocol/call';

/** More than a call's offer, answer and candidates ever need; a flood is cut off, not stored. */
const MAX_QUEUED = 256;

/**
 * Signals waiting for one thing (the peer to exist, or the keys to arrive), bounded: what comes
 * past the bound is dropped, since an honest call never gets near it.
 */
export class SignalQueue {
  #signals: SignalData[] = [];

  push(data: SignalData): void {
    if (this.#signals.length < MAX_QUEUED) this.#signals.push(data);
  }

  /** Everything held, in order, and the queue emptied. */
  take(): SignalData[] {
    return this.#signals.splice(0);
  }

  clear(): void {
    this.#signals = [];
  }
}
