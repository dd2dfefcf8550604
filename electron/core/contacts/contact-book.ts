import { fromBase64Url, toBase64Url } from '../../../shared/crypto/bytes';
import { parseIdentityKey, serializeIdentityKey } from '../../../shared/crypto/identity';
import { ownSafetyDigits, safetyNumber, scannableFingerprint, scannableToText } from '../../../shared/crypto/safety-number';
import type { Contact } from '../../../shared/ipc';
import type { DirectoryEntry, Presence } from '../../../shared/protocol';
import type { CallPeer } from '../calls/call-manager';
import { PinnedKeys, type Pin } from './pinned-keys';

/**
 * The contact list: who the server says exists (the directory), joined with what this device
 * pinned for them. The server's word decides who can be called; the pins decide which key is
 * believed, and flag any change the server makes.
 */
export class ContactBook {
  private readonly entries = new Map<string, DirectoryEntry>();
  private readonly pins: PinnedKeys;

  constructor(
    private readonly self: { id: string; serializedKey: Uint8Array },
    pins: readonly Pin[],
    private readonly persist: (pins: Pin[]) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.pins = new PinnedKeys(pins);
  }

  /** A whole directory from the server: users missing from it are gone (revoked or removed). */
  replace(entries: readonly DirectoryEntry[]): void {
    this.entries.clear();
    for (const entry of entries) this.upsert(entry, false);
    this.persist(this.pins.list());
  }

  upsert(entry: DirectoryEntry, save = true): void {
    if (entry.id === this.self.id) return;
    if (!validKey(entry.identityKey)) return;
    this.entries.set(entry.id, entry);
    const seen = this.pins.observe(entry.id, entry.identityKey, this.now());
    if (save && seen !== 'same') this.persist(this.pins.list());
  }

  remove(userId: string): void {
    this.entries.delete(userId);
  }

  setPresence(userId: string, presence: Presence): boolean {
    const entry = this.entries.get(userId);
    if (!entry) return false;
    this.entries.set(userId, { ...entry, presence });
    return true;
  }

  /** Everyone goes offline when our own link to the server does: we no longer know. */
  markAllOffline(): void {
    for (const [id, entry] of this.entries) this.entries.set(id, { ...entry, presence: 'offline' });
  }

  list(): Contact[] {
    return [...this.entries.values()]
      .map((entry) => this.contactOf(entry))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  }

  get(userId: string): Contact | undefined {
    const entry = this.entries.get(userId);
    return entry ? this.contactOf(entry) : undefined;
  }

  /** For the call manager: the contact with the key this device pinned (not merely the server's). */
  peer(userId: string): CallPeer | undefined {
    const entry = this.entries.get(userId);
    const pin = this.pins.get(userId);
    if (!entry || !pin) return undefined;
    return {
      id: userId,
      displayName: entry.displayName,
      identityKey: parseIdentityKey(fromBase64Url(pin.identityKey)),
      verified: pin.verifiedAt !== null,
      keyChanged: pin.keyChanged,
    };
  }

  setVerified(userId: string, verified: boolean): Contact | undefined {
    if (!this.pins.setVerified(userId, verified, this.now())) return undefined;
    this.persist(this.pins.list());
    return this.get(userId);
  }

  /** Settles a key change for `identityKey` (raw), and only while it is still the pinned one. */
  acknowledgeKeyChange(userId: string, identityKey: Uint8Array): void {
    if (this.pins.acknowledgeKeyChange(userId, toBase64Url(serializeIdentityKey(identityKey)))) this.persist(this.pins.list());
  }

  get selfId(): string {
    return this.self.id;
  }

  /** This user's own half of every safety number. */
  ownDigits(): string {
    return ownSafetyDigits({ id: this.self.id, identityKey: this.self.serializedKey });
  }

  safetyNumberWith(userId: string): { digits: string; scannable: string } | undefined {
    const pin = this.pins.get(userId);
    if (!pin) return undefined;
    const local = { id: this.self.id, identityKey: this.self.serializedKey };
    const remote = { id: userId, identityKey: fromBase64Url(pin.identityKey) };
    return { digits: safetyNumber(local, remote), scannable: scannableToText(scannableFingerprint(local, remote)) };
  }

  private contactOf(entry: DirectoryEntry): Contact {
    const pin = this.pins.get(entry.id);
    return {
      id: entry.id,
      displayName: entry.displayName,
      presence: entry.presence,
      verified: pin?.verifiedAt != null,
      verifiedAt: pin?.verifiedAt ?? null,
      keyChanged: pin?.keyChanged ?? false,
    };
  }
}

function validKey(encoded: string): boolean {
  try {
    parseIdentityKey(fromBase64Url(encoded));
    return true;
  } catch {
    return false;
  }
}
