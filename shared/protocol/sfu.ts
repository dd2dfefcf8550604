import { z } from 'zod';
import { requestIdSchema, versionField } from './fields';
import { groupIdSchema } from './group';

/*
 * A seat in a group call's SFU room (docs/protocol.md, "Meetings over the SFU"). The server hands
 * a present member of the call what its app needs to join the call's Janus VideoRoom; the media
 * there stays SFrame-encrypted under the group's MLS keys, which Janus never holds.
 */

/** Client → server: a seat in the SFU room of a group call the sender is in. Asked again before `expiresAt` for a fresh token. */
export const sfuJoinSchema = z.object({ v: versionField, id: requestIdSchema.optional(), type: z.literal('sfu.join'), groupId: groupIdSchema }).strict();

/** Janus's room and participant ids are integers below 2^53 (JSON numbers that stay exact). */
const janusIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Server → client: where and how to join. */
export const sfuSeatSchema = z
  .object({
    v: versionField,
    type: z.literal('sfu.seat'),
    groupId: groupIdSchema,
    /** The Janus API for clients (HTTPS through the deployment's proxy, or loopback in tests). */
    url: z.url().max(512).regex(/^https?:\/\//, 'an http: or https: URL'),
    room: janusIdSchema,
    /** The id to join the room with: the server kicks by it, and sweeps out anyone else. */
    participantId: janusIdSchema,
    /** Janus's signed token for its API: `token` in every Janus request. */
    token: z.string().min(1).max(512),
    /** Janus's signed token for this room: `token` in the VideoRoom join. */
    roomToken: z.string().min(1).max(512),
    /** When Janus stops taking the token (ms since epoch): ask again before. */
    expiresAt: z.number().int().nonnegative(),
  })
  .strict();

export type SfuJoin = z.infer<typeof sfuJoinSchema>;
export type SfuSeat = z.infer<typeof sfuSeatSchema>;
