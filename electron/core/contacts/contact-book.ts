import { fromBase64Url, toBase64Url } from '../../../shared/crypto/bytes';
import { parseIdentityKey, serializeIdentityKey } from '../../../shared/crypto/identity';
import { ownSafetyDigits, safetyNumber, scannableFingerprint, scannableToText } from '../../../shared/crypto/safety-number';
import { IpcError, type Contact } from '../../../shared/ipc';
import type { DirectoryEntry, Presence } from '../../../shared/protocol';
import type { CallPeer } from '../calls/call-manager';
import type { PinDocument } from './pin-mac';
import { PinnedKeys } from './pinned-keys';

/**
 * The contact list: who the server says exists (the directory), joined with what this device
 * pinned for them. The server's word decides who can be called; the pins decide which key is
 * believed, and flag any change the server makes.
 */
export class ContactBook {
  private readonly entries = new Map<string, DirectoryEntry>();
  /** Presence of the contacts this device follows (presence.subscribe); anyone else counts as offline. */
  private readonly presence = new Map<string, Presence>();
  private readonly pins: PinnedKeys;
  /** Set while the pins are lost and no directory has been pinned since: every first sight is gated. */
  private lostAt: number | null;

  constructor(
    private readonly self: { id: string; serializedKey: Uint8Array },
    document: PinDocument,
    private readonly persistDocument: (document: PinDocument) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.pins = new PinnedKeys(document.pins);
    this.lostAt = document.lostAt;
  }

  /**
   * A whole directory from the server: users missing from it are gone (revoked or removed). It
   * lists everyone enrolled, so after a loss it covers everyone the lost pins could have held.
   */
  replace(entries: readonly DirectoryEntry[]): void {
    this.entries.clear();
    const listed = new Set(entries.map((entry) => entry.id));
    for (const id of this.presence.keys()) if (!listed.has(id)) this.presence.delete(id);
    for (const entry of entries) this.upsert(entry, false);
    this.lostAt = null;
    this.persist();
  }

  /**
   * The directory copy this device stored (directory-copy.ts), before the server's changes since.
   * A contact already pinned keeps the pinned key: the pins are written before the copy, so a copy
   * older than the pins must not flip a pin back, and any later change comes again in the delta.
   * Not for a device whose pins were lost: it starts from a whole directory, as `replace` says.
   */
  restore(entries: readonly DirectoryEntry[]): void {
    let pinned = false;
    for (const entry of entries) {
      if (entry.id === this.self.id || !validKey(entry.identityKey)) continue;
      this.entries.set(entry.id, entry);
      if (this.pins.get(entry.id) === undefined) {
        this.pins.observe(entry.id, entry.identityKey, this.now(), this.lostAt !== null);
        pinned = true;
      }
    }
    if (pinned) this.persist();
  }

  /** True while the pins are lost: such a device must not trust a stored directory copy. */
  get pinsLost(): boolean {
    return this.lostAt !== null;
  }

  upsert(entry: DirectoryEntry, save = true): boolean {
    if (entry.id === this.self.id) return false;
    if (!validKey(entry.identityKey)) return false;
    this.entries.set(entry.id, entry);
    const seen = this.pins.observe(entry.id, entry.identityKey, this.now(), this.lostAt !== null);
    if (save && seen !== 'same') this.persist();
    return seen !== 'same';
  }

  /** A delta's changes: each key is observed as if it came alone (a changed key is a key change). */
  applyChanges(users: readonly DirectoryEntry[], removed: readonly string[]): void {
    let pinsChanged = false;
    for (const entry of users) pinsChanged = this.upsert(entry, false) || pinsChanged;
    for (const userId of removed) this.remove(userId);
    if (pinsChanged) this.persist();
  }

  remove(userId: string): void {
    this.entries.delete(userId);
    this.presence.delete(userId);
  }

  has(userId: string): boolean {
    return this.entries.has(userId);
  }

  /** Every directory entry as the server gave it (for the stored copy), self excluded. */
  entryList(): DirectoryEntry[] {
    return [...this.entries.values()];
  }

  /** Contacts this user verified: their presence is always followed. */
  verifiedIds(): string[] {
    return [...this.entries.keys()].filter((id) => this.pins.get(id)?.verifiedAt != null);
  }

  setPresence(userId: string, presence: Presence): boolean {
    if (!this.entries.has(userId) || this.presence.get(userId) === presence) return false;
    this.presence.set(userId, presence);
    return true;
  }

  /** No longer followed: shown as offline, as the app shows anyone whose presence it does not know. */
  forgetPresence(userIds: Iterable<string>): boolean {
    let changed = false;
    for (const id of userIds) changed = this.presence.delete(id) || changed;
    return changed;
  }

  /** Everyone goes offline when our own link to the server does: we no longer know. */
  markAllOffline(): void {
    this.presence.clear();
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

  /**
   * Marks verified only for the number the user compared (`digits`): if another key was pinned
   * since the screen showed it, the mark would vouch for a key nobody compared.
   */
  setVerified(userId: string, change: { verified: true; digits: string } | { verified: false }): Contact | undefined {
    const current = this.safetyNumberWith(userId);
    if (current === undefined || !this.entries.has(userId)) return undefined;
    if (change.verified && change.digits !== current.digits) {
      throw new IpcError('key-changed', 'the safety number changed while you were comparing it: compare the new number');
    }
    this.pins.setVerified(userId, change.verified, this.now());
    this.persist();
    return this.get(userId);
  }

  /** Settles a key change for `identityKey` (raw), and only while it is still the pinned one. */
  acknowledgeKeyChange(userId: string, identityKey: Uint8Array): void {
    if (this.pins.acknowledgeKeyChange(userId, toBase64Url(serializeIdentityKey(identityKey)))) this.persist();
  }

  get selfId(): string {
    return this.self.id;
  }

  /** This user's own half of every safety number. */
  ownDigits(): string {
    return ownSafetyDigits({ id: this.self.id, identityKey: this.self.serializedKey });
  }

  /** The safety number with the key pinned now, and that key (for the screen to tell a stale number). */
  safetyNumberWith(userId: string): { digits: string; scannable: string; identityKey: string } | undefined {
    const pin = this.pins.get(userId);
    if (!pin) return undefined;
    const local = { id: this.self.id, identityKey: this.self.serializedKey };
    const remote = { id: userId, identityKey: fromBase64Url(pin.identityKey) };
    return { digits: safetyNumber(local, remote), scannable: scannableToText(scannableFingerprint(local, remote)), identityKey: pin.identityKey };
  }

  private persist(): void {
    this.persistDocument({ lostAt: this.lostAt, pins: this.pins.list() });
  }

  private contactOf(entry: DirectoryEntry): Contact {
    const pin = this.pins.get(entry.id);
    return {
      id: entry.id,
      displayName: entry.displayName,
      presence: this.presence.get(entry.id) ?? 'offline',
      verified: pin?.verifiedAt != null,
      verifiedAt: pin?.verifiedAt ?? null,
      keyChanged: pin?.keyChanged ?? false,
      pinLost: pin?.pinLost ?? false,
      // The pin is written on sight, so it is there; the directory's key only stands in for a bug.
      identityKey: pin?.identityKey ?? entry.identityKey,
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
