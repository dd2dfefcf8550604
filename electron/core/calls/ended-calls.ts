/*
 * Call ids this app has already finished with. An invite is signed over its call id but carries
 * no time, so the server could replay an old one verbatim and make a colleague's name ring again.
 * The ids of recent calls are kept here (the call history covers older ones), and an invite
 * naming one of them is ignored.
 */

/** A day of heavy use; the oldest id is forgotten first. */
const KEPT = 2048;

export class EndedCalls {
  private readonly ids = new Set<string>();

  add(callId: string): void {
    this.ids.delete(callId);
    this.ids.add(callId);
    if (this.ids.size > KEPT) {
      const oldest = this.ids.values().next();
      if (oldest.done !== true) this.ids.delete(oldest.value);
    }
  }

  has(callId: string): boolean {
    return this.ids.has(callId);
  }
}
