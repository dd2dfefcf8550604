import type { SignalData } from '../../shared/protocol/call';

/** More than a call's offer, answer and candidates ever need; a flood is cut off, not stored. */
const MAX_BUFFERED = 256;

/**
 * Signals that arrive before their call's peer exists: the callee gets the caller's offer right
 * after its keys, and only then builds the peer. Kept per call id; a different call's signals go.
 */
export class SignalBuffer {
  #callId: string | null = null;
  #signals: SignalData[] = [];

  push(callId: string, data: SignalData): void {
    if (callId !== this.#callId) {
      this.#callId = callId;
      this.#signals = [];
    }
    if (this.#signals.length < MAX_BUFFERED) this.#signals.push(data);
  }

  take(callId: string): SignalData[] {
    const signals = callId === this.#callId ? this.#signals : [];
    this.clear();
    return signals;
  }

  clear(): void {
    this.#callId = null;
    this.#signals = [];
  }
}
