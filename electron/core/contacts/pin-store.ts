import path from 'node:path';
import { z } from 'zod';
import { userIdSchema } from '../../../shared/protocol/fields';
import { writeJsonDocument, type JsonDocumentSpec } from '../storage/json-store';
import { readOrMoveAside, type FileRecovery } from '../storage/quarantine';
import type { Pin } from './pinned-keys';

const PIN_FILE_VERSION = 1;

const pinFileSchema = z.strictObject({
  version: z.literal(PIN_FILE_VERSION),
  pins: z.array(
    z.strictObject({
      userId: userIdSchema,
      identityKey: z.string().max(100),
      firstSeenAt: z.number().int(),
      verifiedAt: z.number().int().nullable(),
      keyChanged: z.boolean(),
      changedAt: z.number().int().nullable(),
    }),
  ),
});

/** The pinned keys and verifications, one file per device: they are what catches a swapped key. */
export class PinStore {
  private readonly spec: JsonDocumentSpec<z.infer<typeof pinFileSchema>>;
  private pending: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.spec = { path: path.join(dataDir, 'contacts.json'), schema: pinFileSchema, version: PIN_FILE_VERSION };
  }

  async load(): Promise<{ pins: Pin[]; recovery: FileRecovery | null }> {
    const { value, recovery } = await readOrMoveAside(this.spec);
    return { pins: value?.pins ?? [], recovery };
  }

  /** Saves in order; a failure is reported to `onError` and the next save tries again with the full list. */
  save(pins: Pin[], onError: (error: unknown) => void): void {
    this.pending = this.pending.then(() => writeJsonDocument(this.spec, { version: PIN_FILE_VERSION, pins })).catch(onError);
  }

  flush(): Promise<void> {
    return this.pending;
  }
}
