import { z } from 'zod';
import { SERIALIZED_IDENTITY_KEY_BYTES } from '../crypto/identity';
import { base64UrlBytes, displayNameSchema, presenceSchema, requestIdSchema, userIdSchema, versionField } from './fields';

/** The most colleagues a directory can list: a large company, with room to spare. */
export const MAX_DIRECTORY_USERS = 100_000;

/** Ids per presence.subscribe message, and subscriptions a session may hold at once. */
export const MAX_PRESENCE_IDS_PER_MESSAGE = 500;
export const MAX_PRESENCE_SUBSCRIPTIONS = 1_000;

/** Which copy of the directory a version counts in: a new server store starts a new epoch. */
export const directoryEpochSchema = base64UrlBytes(16);
/** Versions count changes within an epoch, from 0 (an empty store). */
export const directoryVersionSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const directoryEntrySchema = z
  .object({
    id: userIdSchema,
    displayName: displayNameSchema,
    /** The serialized identity key (type byte + 32 bytes). Clients pin it at first sight. */
    identityKey: base64UrlBytes(SERIALIZED_IDENTITY_KEY_BYTES),
  })
  .strict();

/**
 * Client → server, after welcome and after every reconnect: "bring my copy up to date". Without
 * `since` (a first login, or a lost copy) the answer is the whole directory.
 */
export const directorySyncSchema = z
  .object({
    v: versionField,
    type: z.literal('directory.sync'),
    id: requestIdSchema.optional(),
    since: z.object({ epoch: directoryEpochSchema, version: directoryVersionSchema }).strict().optional(),
  })
  .strict();

/**
 * Server → client, the answer to directory.sync. `full`: replace the copy with `users` (no
 * `since`, another epoch, or a version this store never issued). Otherwise `users` changed and
 * `removed` were revoked after `since.version`; the copy is then at `version`.
 */
export const directoryDeltaSchema = z
  .object({
    v: versionField,
    type: z.literal('directory.delta'),
    epoch: directoryEpochSchema,
    version: directoryVersionSchema,
    full: z.boolean(),
    users: z.array(directoryEntrySchema).max(MAX_DIRECTORY_USERS),
    removed: z.array(userIdSchema).max(MAX_DIRECTORY_USERS),
  })
  .strict();

/** Server → client: one user was added, changed key or name, or came back; `version` made it. */
export const directoryUserSchema = z
  .object({ v: versionField, type: z.literal('directory.user'), user: directoryEntrySchema, version: directoryVersionSchema })
  .strict();

/** Server → client: a user was revoked and can no longer be called; `version` made it. */
export const directoryRemovedSchema = z
  .object({ v: versionField, type: z.literal('directory.removed'), userId: userIdSchema, version: directoryVersionSchema })
  .strict();

/**
 * Client → server: change the set of colleagues whose presence this session follows (the ones
 * on screen, verified ones, recent calls). A session starts with none; `presence.snapshot` answers
 * with the current presence of those added.
 */
export const presenceSubscribeSchema = z
  .object({
    v: versionField,
    type: z.literal('presence.subscribe'),
    id: requestIdSchema.optional(),
    add: z.array(userIdSchema).max(MAX_PRESENCE_IDS_PER_MESSAGE),
    remove: z.array(userIdSchema).max(MAX_PRESENCE_IDS_PER_MESSAGE),
  })
  .strict();

/** Server → client: the presence of users just subscribed to. */
export const presenceSnapshotSchema = z
  .object({
    v: versionField,
    type: z.literal('presence.snapshot'),
    users: z.array(z.object({ id: userIdSchema, presence: presenceSchema }).strict()).max(MAX_PRESENCE_IDS_PER_MESSAGE),
  })
  .strict();

/** Server → client: a subscribed user's presence changed. */
export const presenceUpdateSchema = z
  .object({ v: versionField, type: z.literal('presence'), userId: userIdSchema, presence: presenceSchema })
  .strict();

export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;
export type DirectorySync = z.infer<typeof directorySyncSchema>;
export type DirectoryDelta = z.infer<typeof directoryDeltaSchema>;
export type DirectoryUser = z.infer<typeof directoryUserSchema>;
export type DirectoryRemoved = z.infer<typeof directoryRemovedSchema>;
export type PresenceSubscribe = z.infer<typeof presenceSubscribeSchema>;
export type PresenceSnapshot = z.infer<typeof presenceSnapshotSchema>;
export type PresenceUpdate = z.infer<typeof presenceUpdateSchema>;
