import { z } from 'zod';
import { SERIALIZED_IDENTITY_KEY_BYTES } from '../crypto/identity';
import { base64UrlBytes, displayNameSchema, presenceSchema, userIdSchema, versionField } from './fields';

export const directoryEntrySchema = z
  .object({
    id: userIdSchema,
    displayName: displayNameSchema,
    /** The serialized identity key (type byte + 32 bytes). Clients pin it at first sight. */
    identityKey: base64UrlBytes(SERIALIZED_IDENTITY_KEY_BYTES),
    presence: presenceSchema,
  })
  .strict();

/** Server → client, right after welcome and whenever the client asks: everyone it may call. */
export const directorySchema = z
  .object({
    v: versionField,
    type: z.literal('directory'),
    users: z.array(directoryEntrySchema).max(100_000),
  })
  .strict();

/** Server → client: one user was added, changed key or name, or came back. */
export const directoryUserSchema = z
  .object({ v: versionField, type: z.literal('directory.user'), user: directoryEntrySchema })
  .strict();

/** Server → client: a user was revoked and can no longer be called. */
export const directoryRemovedSchema = z
  .object({ v: versionField, type: z.literal('directory.removed'), userId: userIdSchema })
  .strict();

/** Server → client: a presence change. */
export const presenceUpdateSchema = z
  .object({ v: versionField, type: z.literal('presence'), userId: userIdSchema, presence: presenceSchema })
  .strict();

export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;
export type Directory = z.infer<typeof directorySchema>;
export type DirectoryUser = z.infer<typeof directoryUserSchema>;
export type DirectoryRemoved = z.infer<typeof directoryRemovedSchema>;
export type PresenceUpdate = z.infer<typeof presenceUpdateSchema>;
