/**
 * Trust on first use, as Signal does it: the first identity key seen for a contact is pinned. A
 * different key later is never silently accepted as "the same person": the contact is flagged
 * "key changed", loses "verified", and the next call with them is gated until the user confirms.
 */
export interface Pin {
  userId: string;
  /** The serialized identity key, URL-safe base64. */
  identityKey: string;
  firstSeenAt: number;
  verifiedAt: number | null;
  keyChanged: boolean;
  changedAt: number | null;
  /**
   * Pinned after this device lost its earlier pins (a damaged or tampered file): nothing says this
   * is the key the contact had before, so it is gated like a changed key until settled.
   */
  pinLost: boolean;
}

export type Observation = 'new' | 'same' | 'changed';

export class PinnedKeys {
  private readonly pins = new Map<string, Pin>();

  constructor(pins: readonly Pin[] = []) {
    for (const pin of pins) this.pins.set(pin.userId, { ...pin });
  }

  /**
   * Records the key the directory shows for a contact. `lost`: this device had pins it can no
   * longer read, so a first sight may well be a change it cannot see.
   */
  observe(userId: string, identityKey: string, now: number, lost = false): Observation {
    const pin = this.pins.get(userId);
    if (pin === undefined) {
      this.pins.set(userId, {
        userId,
        identityKey,
        firstSeenAt: now,
        verifiedAt: null,
        keyChanged: lost,
        changedAt: lost ? now : null,
        pinLost: lost,
      });
      return 'new';
    }
    if (pin.identityKey === identityKey) return 'same';
    this.pins.set(userId, { ...pin, identityKey, verifiedAt: null, keyChanged: true, changedAt: now });
    return 'changed';
  }

  get(userId: string): Pin | undefined {
    const pin = this.pins.get(userId);
    return pin === undefined ? undefined : { ...pin };
  }

  /** Marking verified (after comparing safety numbers) also settles a key change or a lost pin. */
  setVerified(userId: string, verified: boolean, now: number): Pin | undefined {
    const pin = this.pins.get(userId);
    if (pin === undefined) return undefined;
    const next = verified ? { ...pin, verifiedAt: now, keyChanged: false, pinLost: false } : { ...pin, verifiedAt: null };
    this.pins.set(userId, next);
    return { ...next };
  }

  /**
   * The user saw the new safety number and chose "Call anyway" or "Answer anyway": stop gating, stay
   * unverified. Only for the key they were shown: a key pinned since stays gated. True if it settled.
   */
  acknowledgeKeyChange(userId: string, identityKey: string): boolean {
    const pin = this.pins.get(userId);
    if (pin?.identityKey !== identityKey || !pin.keyChanged) return false;
    this.pins.set(userId, { ...pin, keyChanged: false, pinLost: false });
    return true;
  }

  list(): Pin[] {
    return [...this.pins.values()].map((pin) => ({ ...pin }));
  }
}
