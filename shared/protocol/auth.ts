import { z } from 'zod';
import { SERIALIZED_IDENTITY_KEY_BYTES, SIGNATURE_BYTES } from '../crypto/identity';
import { base64UrlBytes, displayNameSchema, requestIdSchema, userIdSchema, versionField } from './fields';
import { MAX_GROUP_MEMBERS } from './group';

export const AUTH_NONCE_BYTES = 32;

/** Server → client, first message on every socket: the challenge. */
export const helloSchema = z
  .object({
    v: versionField,
    type: z.literal('hello'),
    /** The URL the server is known by; the client signs it, so an answer can't be relayed to another server. */
    serverUrl: z.url().max(512),
    nonce: base64UrlBytes(AUTH_NONCE_BYTES),
    serverVersion: z.string().max(40),
  })
  .strict();

/** Client → server: an enrolled device answers the challenge. */
export const authSchema = z
  .object({
    v: versionField,
    type: z.literal('auth'),
    id: requestIdSchema.optional(),
    userId: userIdSchema,
    signature: base64UrlBytes(SIGNATURE_BYTES),
  })
  .strict();

/**
 * Client → server: a new device registers its identity key with the one-time code from its
 * enrollment link, and signs the challenge with that key to prove it holds the secret half.
 */
export const enrollSchema = z
  .object({
    v: versionField,
    type: z.literal('enroll'),
    id: requestIdSchema.optional(),
    code: z.string().max(64).regex(/^[A-Za-z0-9_-]{22,64}$/, 'an enrollment code is 22 to 64 URL-safe characters'),
    identityKey: base64UrlBytes(SERIALIZED_IDENTITY_KEY_BYTES),
    deviceName: displayNameSchema,
    signature: base64UrlBytes(SIGNATURE_BYTES),
  })
  .strict();

/** Server → client: authentication (or enrollment) succeeded. */
export const welcomeSchema = z
  .object({
    v: versionField,
    type: z.literal('welcome'),
    userId: userIdSchema,
    displayName: displayNameSchema,
    /**
     * The most people one group call may hold on this server, the owner included: MAX_GROUP_MEMBERS
     * when it runs meetings through an SFU, MAX_MESH_MEMBERS when calls stay a mesh. Absent from
     * servers older than meetings, which hold a mesh only (docs/protocol.md, "Meetings over the SFU").
     */
    groupCallMax: z.number().int().min(3).max(MAX_GROUP_MEMBERS).optional(),
  })
  .strict();

export type Hello = z.infer<typeof helloSchema>;
export type Auth = z.infer<typeof authSchema>;
export type Enroll = z.infer<typeof enrollSchema>;
export type Welcome = z.infer<typeof welcomeSchema>;
