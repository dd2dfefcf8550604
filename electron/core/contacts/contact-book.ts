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
    for (const entry of entries) this.upsert(entry, false);
    this.lostAt = null;
    this.persist();
  }

  upsert(entry: DirectoryEntry, save = true): void {
    if (entry.id === this.self.id) return;
    if (!validKey(entry.identityKey)) return;
    this.entries.set(entry.id, entry);
    const seen = this.pins.observe(entry.id, entry.identityKey, this.now(), this.lostAt !== null);
    if (save && seen !== 'same') this.persist();
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
      presence: entry.presence,
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
