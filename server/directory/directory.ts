import { toBase64Url } from '../../shared/crypto/bytes';
import { PROTOCOL_VERSION, type Presence } from '../../shared/protocol';

export interface DirectoryUser {
  id: string;
  displayName: string;
  /** Serialized identity key as it goes on the wire. */
  identityKey: string;
}

interface Listed extends DirectoryUser {
  /** The entry's JSON up to its presence value, built once: a directory is sent on every login. */
  fragment: string;
}

/**
 * The in-memory view of who can be called: enrolled, with a live key, not revoked. Loaded from the
 * database at start and kept current by enrolments and revocations, so that building a directory
 * or checking a call target never touches SQLite.
 */
export class Directory {
  private readonly users = new Map<string, Listed>();

  load(users: Iterable<{ id: string; displayName: string; identityKey: Uint8Array | null }>): void {
    for (const user of users) if (user.identityKey) this.upsert(user.id, user.displayName, user.identityKey);
  }

  upsert(id: string, displayName: string, identityKey: Uint8Array): DirectoryUser {
    const user = { id, displayName, identityKey: toBase64Url(identityKey) };
    const fragment = JSON.stringify(user).slice(0, -1) + ',"presence":"';
    this.users.set(id, { ...user, fragment });
    return user;
  }

  remove(id: string): boolean {
    return this.users.delete(id);
  }

  has(id: string): boolean {
    return this.users.has(id);
  }

  get size(): number {
    return this.users.size;
  }

  /**
   * The `directory` message for `self`, as JSON text, from the cached fragments: the same bytes as
   * JSON.stringify of the message, at a fraction of the cost for a large company.
   */
  serialized(self: string, presenceOf: (id: string) => Presence): string {
    const parts: string[] = [];
    for (const user of this.users.values()) {
      if (user.id !== self) parts.push(`${user.fragment}${presenceOf(user.id)}"}`);
    }
    return `{"v":${PROTOCOL_VERSION},"type":"directory","users":[${parts.join(',')}]}`;
  }
}
