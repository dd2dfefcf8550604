import path from 'node:path';
import { z } from 'zod';
import { base64UrlBytes, userIdSchema } from '../../../shared/protocol/fields';
import { writeJsonDocument, type JsonDocumentSpec } from '../storage/json-store';
import { moveAside, readOrMoveAside } from '../storage/quarantine';
import { macPins, pinsMacValid, type PinDocument } from './pin-mac';

/*
 * Version 1 had no MAC. It is not migrated: anyone who can write the file could write a version 1
 * file to skip the MAC, so an old file counts as lost pins like any other file that fails the check.
 */
const PIN_FILE_VERSION = 2;

const pinFileSchema = z.strictObject({
  version: z.literal(PIN_FILE_VERSION),
  lostAt: z.number().int().nullable(),
  pins: z.array(
    z.strictObject({
      userId: userIdSchema,
      identityKey: z.string().max(100),
      firstSeenAt: z.number().int(),
      verifiedAt: z.number().int().nullable(),
      keyChanged: z.boolean(),
      changedAt: z.number().int().nullable(),
      pinLost: z.boolean(),
    }),
  ),
  /** HMAC-SHA-512-256 over the rest, under a key derived from the identity key (pin-mac.ts). */
  mac: base64UrlBytes(32),
});

/** Why the pins were lost, and where the unusable file was put (null when there was none). */
export interface PinLoss {
  problem: string;
  movedTo: string | null;
}

export interface LoadedPins {
  document: PinDocument;
  /** Set when the file was damaged, failed its MAC, or vanished: every contact is then "verify again". */
  loss: PinLoss | null;
}

/** The pinned keys and verifications, one file per device: they are what catches a swapped key. */
export class PinStore {
  private readonly spec: JsonDocumentSpec<z.infer<typeof pinFileSchema>>;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    /** The MAC key from pinMacKey: held only while the identity is open. */
    private readonly macKey: Uint8Array,
    private readonly now: () => number = Date.now,
  ) {
    this.spec = { path: path.join(dataDir, 'contacts.json'), schema: pinFileSchema, version: PIN_FILE_VERSION };
  }

  /**
   * The pins, or a fresh start that remembers the loss (`lostAt`) so every contact's next key is
   * gated. A lost start is saved at once, so quitting before the directory arrives cannot turn the
   * loss into a silent first start.
   *
   * `justEnrolled`: this identity is new, so there is nothing to lose; a file left by an earlier
   * identity is set aside (its MAC key is gone, and every safety number changed with the new key).
   * Otherwise the identity saved its pins when it enrolled, so a missing file is a loss too.
   */
  async load(options: { justEnrolled: boolean }): Promise<LoadedPins> {
    if (options.justEnrolled) {
      await moveAside(this.spec.path, this.now(), 'previous-identity').catch((error: unknown) => {
        if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
      });
      const document: PinDocument = { lostAt: null, pins: [] };
      this.save(document, () => undefined);
      return { document, loss: null };
    }
    const { value, recovery } = await readOrMoveAside(this.spec, this.now);
    if (value !== undefined) {
      const { version: _version, mac, ...document } = value;
      if (await pinsMacValid(this.macKey, document, mac)) return { document, loss: null };
      const movedTo = await moveAside(this.spec.path, this.now(), 'tampered');
      return this.lost({ problem: 'its integrity check failed: it was changed outside Sealcall', movedTo });
    }
    return this.lost(recovery === null ? { problem: 'it is missing', movedTo: null } : { problem: recovery.problem, movedTo: recovery.movedTo });
  }

  /** Saves in order; a failure is reported to `onError` and the next save tries again with the full document. */
  save(document: PinDocument, onError: (error: unknown) => void): void {
    const snapshot: PinDocument = { lostAt: document.lostAt, pins: document.pins.map((pin) => ({ ...pin })) };
    this.pending = this.pending
      .then(async () => {
        const mac = await macPins(this.macKey, snapshot);
        await writeJsonDocument(this.spec, { version: PIN_FILE_VERSION, ...snapshot, mac }, { mode: 0o600 });
      })
      .catch(onError);
  }

  flush(): Promise<void> {
    return this.pending;
  }

  private lost(loss: PinLoss): LoadedPins {
    const document: PinDocument = { lostAt: this.now(), pins: [] };
    this.save(document, () => undefined);
    return { document, loss };
  }
}
