import { PROTOCOL_VERSION, type DirectoryDelta, type DirectoryRemoved, type DirectorySync as DirectorySyncMessage, type DirectoryUser } from '../../../shared/protocol';
import type { ContactBook } from '../contacts/contact-book';
import type { DirectoryCopy, DirectoryCopyStore } from './directory-copy';

/**
 * Keeps the contact book's directory in step with the server's versioned directory
 * (docs/protocol.md): asks for the changes since the version it holds, applies deltas and live
 * changes, and has the copy stored so the next start asks only for what changed.
 */
export class DirectorySync {
  /** The epoch and version the book's directory is known to match; undefined until a delta says. */
  private held: { epoch: string; version: number } | undefined;

  constructor(
    private readonly book: ContactBook,
    private readonly store: DirectoryCopyStore | undefined,
    stored: DirectoryCopy | undefined,
  ) {
    // A device whose pins were lost starts from a whole directory, which settles the loss.
    if (stored !== undefined && !book.pinsLost) {
      book.restore(stored.users);
      this.held = { epoch: stored.epoch, version: stored.version };
    }
  }

  /** What to send after every (re)connect. */
  request(): DirectorySyncMessage {
    return { v: PROTOCOL_VERSION, type: 'directory.sync', ...(this.held ? { since: { ...this.held } } : {}) };
  }

  /**
   * Applies the answer to directory.sync. False when a delta cannot apply to what this device
   * holds (changes since a copy of another epoch): the copy is then dropped and the caller asks
   * again, for a whole directory.
   */
  delta(message: DirectoryDelta): boolean {
    if (message.full) {
      this.book.replace(message.users);
    } else {
      if (this.held?.epoch !== message.epoch) {
        this.held = undefined;
        return false;
      }
      this.book.applyChanges(message.users, message.removed);
    }
    this.held = { epoch: message.epoch, version: message.version };
    this.changed();
    return true;
  }

  user(message: DirectoryUser): void {
    this.book.upsert(message.user);
    this.advance(message.version);
  }

  removed(message: DirectoryRemoved): void {
    this.book.remove(message.userId);
    this.advance(message.version);
  }

  /** Writes a scheduled copy now (before the session closes). */
  flush(): Promise<void> {
    return this.store?.flush() ?? Promise.resolve();
  }

  /**
   * A live change moves the held version on only when it is the very next one: after a gap the
   * copy keeps the older version, and the next sync sends the gap again (applying twice is harmless).
   */
  private advance(version: number): void {
    if (this.held !== undefined && version === this.held.version + 1) this.held = { ...this.held, version };
    this.changed();
  }

  private changed(): void {
    this.store?.save(() => (this.held === undefined ? undefined : { ...this.held, users: this.book.entryList() }));
  }
}
