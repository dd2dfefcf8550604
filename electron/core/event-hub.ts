import { parseEvent, type EventChannel, type EventOf } from '../../shared/ipc';

type Listener = (payload: unknown) => void;

/**
 * Main-to-renderer events. Payloads are checked against the contract on the way out, so a bug in
 * the core cannot push the renderer something it would have to drop.
 */
export class EventHub {
  readonly #listeners = new Map<EventChannel, Set<Listener>>();

  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    // Wrapping gives each subscription its own identity, so subscribing the same function twice
    // and unsubscribing once leaves the other subscription alone.
    const entry: Listener = (payload) => {
      listener(payload as EventOf<E>);
    };
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    const checked = parseEvent(event, payload);
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(checked);
      } catch (error) {
        // One failing subscriber (say, a window that is closing) must not starve the others.
        console.error(`sealcall: a listener for ${event} failed`, error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
