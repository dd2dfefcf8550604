import path from 'node:path';
import { z } from 'zod';
import { encodeFields, fromBase64Url, toBase64Url, utf8Bytes } from '../../../shared/crypto/bytes';
import { loadSodium } from '../../../shared/crypto/sodium';
import { fileMacKey } from '../storage/file-mac-key';
import {
  directoryEntrySchema,
  directoryEpochSchema,
  directoryVersionSchema,
  MAX_DIRECTORY_USERS,
  type DirectoryEntry,
} from '../../../shared/protocol/directory';
import { base64UrlBytes } from '../../../shared/protocol/fields';
import { writeFileAtomic } from '../storage/atomic-write';
import { readJsonDocument, type JsonDocumentSpec } from '../storage/json-store';

/*
 * This device's copy of the company directory, so that a reconnect asks only for what changed
 * since (docs/protocol.md, directory.sync). The copy is a cache of the server's word: a missing,
 * damaged or foreign file only costs one full directory. It is MACed like the pins (pin-mac.ts)
 * because its entries are pinned at first sight: a file anyone with the disk could rewrite would
 * let them plant a key as a colleague's first key.
 */

const FILE_VERSION = 1;
const KDF_CONTEXT = 'scdirmac'; // libsodium wants exactly 8 bytes
const LABEL = 'sealcall/v1/directory-copy-mac';
/** A directory at its largest (MAX_DIRECTORY_USERS) is about 20 MB of JSON; more is damage. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

export interface DirectoryCopy {
  epoch: string;
  version: number;
  users: DirectoryEntry[];
}

const fileSchema = z.strictObject({
  version: z.literal(FILE_VERSION),
  epoch: directoryEpochSchema,
  directoryVersion: directoryVersionSchema,
  users: z.array(directoryEntrySchema).max(MAX_DIRECTORY_USERS),
  mac: base64UrlBytes(32),
});

/** The MAC key for this identity's directory copy. The caller wipes it when the session closes. */
export function directoryMacKey(identitySecretKey: Uint8Array): Promise<Uint8Array> {
  return fileMacKey(identitySecretKey, KDF_CONTEXT);
}

/** A fixed encoding, so the MAC never depends on how JSON orders an object's keys. */
function encode(copy: DirectoryCopy): Uint8Array {
  const users = copy.users.map((user) => [user.id, user.displayName, user.identityKey]);
  return encodeFields([utf8Bytes(LABEL), utf8Bytes(JSON.stringify([copy.epoch, copy.version, users]))]);
}

export class DirectoryCopyStore {
  private readonly spec: JsonDocumentSpec<z.infer<typeof fileSchema>>;
  private timer: NodeJS.Timeout | undefined;
  private source: (() => DirectoryCopy | undefined) | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    /** From directoryMacKey: held only while the identity is open. */
    private readonly macKey: Uint8Array,
    /** How long changes gather before one write: a storm of changes is one write. */
    private readonly debounceMs = 1_000,
  ) {
    this.spec = { path: path.join(dataDir, 'directory.json'), schema: fileSchema, version: FILE_VERSION, maxBytes: MAX_FILE_BYTES };
  }

  get path(): string {
    return this.spec.path;
  }

  /** The stored copy, or undefined when there is none worth trusting (missing, damaged, foreign). */
  async load(): Promise<DirectoryCopy | undefined> {
    let file;
    try {
      file = await readJsonDocument(this.spec);
    } catch {
      return undefined;
    }
    if (file === undefined) return undefined;
    const copy: DirectoryCopy = { epoch: file.epoch, version: file.directoryVersion, users: file.users };
    const sodium = await loadSodium();
    const tag = fromBase64Url(file.mac);
    return sodium.crypto_auth_verify(tag, encode(copy), this.macKey) ? copy : undefined;
  }

  /**
   * Schedules a write of what `source` returns when the write happens (undefined: nothing to
   * keep). Later calls within the debounce join the same write.
   */
  save(source: () => DirectoryCopy | undefined): void {
    this.source = source;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes any scheduled change now and waits for every write to finish. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writeNow();
    }
    await this.pending;
  }

  private writeNow(): void {
    const source = this.source;
    this.source = undefined;
    const copy = source?.();
    if (copy === undefined) return;
    this.pending = this.pending
      .then(async () => {
        const sodium = await loadSodium();
        const mac = toBase64Url(sodium.crypto_auth(encode(copy), this.macKey));
        const file = { version: FILE_VERSION, epoch: copy.epoch, directoryVersion: copy.version, users: copy.users, mac };
        // Compact: at 20 000 colleagues indentation alone would add a megabyte.
        await writeFileAtomic(this.spec.path, JSON.stringify(file), { mode: 0o600 });
      })
      // A copy that cannot be written only costs a full directory at the next start.
      .catch(() => undefined);
  }
}
