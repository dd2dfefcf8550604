import { z } from 'zod';
import { fromBase64Url } from '../crypto/bytes';
import { SIGNATURE_BYTES } from '../crypto/identity';
import { callMediaSchema, fingerprintSchema, signalDataSchema } from './call';
import { base64UrlBytes, callIdSchema, requestIdSchema, userIdSchema, versionField } from './fields';

/*
 * Group calls (docs/protocol.md, "Group calls"). The server relays and orders; it never reads a
 * KeyPackage, a commit, a welcome or the owner's signed invite, which travel as opaque bytes and
 * are checked only by the apps.
 */

/** At most 50 people in a group call (the owner and 49 others), which takes an SFU past MAX_MESH_MEMBERS. */
export const MAX_GROUP_MEMBERS = 50;
export const MAX_GROUP_INVITEES = MAX_GROUP_MEMBERS - 1;
/**
 * A call whose media is a full mesh of pairs (no SFU, or a server that cannot reach one) holds at
 * most this many: each member sends its streams to every other.
 */
export const MAX_MESH_MEMBERS = 8;

/** One-time KeyPackages a user may publish at once, beside the one last-resort package. */
export const MAX_KEY_PACKAGES = 20;
/** A KeyPackage with an Ed25519 BasicCredential is a few hundred bytes; room for extensions. */
export const MAX_KEY_PACKAGE_BYTES = 2048;
/** The owner's signed invite as JSON: group id, owner, up to 49 invitees (64 characters each), media, time, upgrade. */
export const MAX_SIGNED_INVITE_BYTES = 4096;
/*
 * Measured with ts-mls 1.6.4 (electron/core/group/group-size.test.ts), user ids of 62 characters:
 * a commit adding 49 members to a group of one is 18,962 bytes and its Welcome 19,975 bytes (the
 * ratchet tree of 50 in it). The caps leave room for longer ids and larger KeyPackages, and a
 * group.commit carrying both as base64 (about 88 KiB at the caps) fits the server's default
 * message size (96 KiB, docs/deployment.md).
 */
export const MAX_COMMIT_BYTES = 32_768;
export const MAX_WELCOME_BYTES = 32_768;
/**
 * A member's state (mute, camera, share, raised hand) as an MLS application message: a few
 * hundred bytes (sender data, a signature, padding); the cap keeps a hostile one small.
 */
export const MAX_MEMBER_STATE_BYTES = 1024;

/** How a group call's media travels: 'sfu' once the server decided it, for good (docs/protocol.md, "Meetings over the SFU"). */
export const groupTransportSchema = z.enum(['mesh', 'sfu']);
export type GroupTransportName = z.infer<typeof groupTransportSchema>;

/** Opaque bytes as URL-safe base64 without padding, 1 to `max` bytes once decoded. */
export function base64UrlBlob(max: number) {
  return z
    .string()
    .min(2)
    .max(Math.ceil((max * 4) / 3))
    .regex(/^[A-Za-z0-9_-]+$/, 'URL-safe base64 without padding')
    .refine((text) => decodesToAtMost(text, max), { message: `expected at most ${max} bytes as URL-safe base64` });
}

function decodesToAtMost(text: string, max: number): boolean {
  try {
    const length = fromBase64Url(text).length;
    return length > 0 && length <= max;
  } catch {
    return false;
  }
}

/** Group ids are minted by the owner's app like call ids: 128 random bits or more. */
export const groupIdSchema = callIdSchema;

export const keyPackageSchema = base64UrlBlob(MAX_KEY_PACKAGE_BYTES);
/** An MLS epoch as the server counts it: commits accepted since the group was created. */
export const epochSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const inviteesSchema = z.array(userIdSchema).min(1).max(MAX_GROUP_INVITEES);
const membersSchema = z.array(userIdSchema).max(MAX_GROUP_MEMBERS);
/** The owner's signature over its invite, with its identity key, in the 'group-invite' domain. */
const signedInviteFields = { invite: base64UrlBlob(MAX_SIGNED_INVITE_BYTES), signature: base64UrlBytes(SIGNATURE_BYTES) };

const request = { v: versionField, id: requestIdSchema.optional() };

/**
 * A member's DTLS fingerprint for one pair, signed with its identity key over the group id, the
 * peer's user id and the fingerprint (domain 'group-dtls'), so the peer can hold every SDP of the
 * pair to it. Relayed as received; the server checks only its shape.
 */
export const groupDtlsSchema = z.object({ fingerprint: fingerprintSchema, signature: base64UrlBytes(SIGNATURE_BYTES) }).strict();

// Client → server.

export const keysPublishSchema = z
  .object({ ...request, type: z.literal('keys.publish'), packages: z.array(keyPackageSchema).max(MAX_KEY_PACKAGES), lastResort: keyPackageSchema })
  .strict();

export const keysFetchSchema = z
  .object({ ...request, type: z.literal('keys.fetch'), groupId: groupIdSchema, users: z.array(userIdSchema).min(1).max(MAX_GROUP_INVITEES) })
  .strict();

export const groupCreateSchema = z
  .object({ ...request, type: z.literal('group.create'), groupId: groupIdSchema, media: callMediaSchema, invitees: inviteesSchema, ...signedInviteFields })
  .strict();

/** The owner signs a new, longer invite list to add someone to a running group. */
export const groupExtendSchema = z
  .object({ ...request, type: z.literal('group.invite'), groupId: groupIdSchema, invitees: inviteesSchema, ...signedInviteFields })
  .strict();

const groupOnly = <T extends string>(type: T) => z.object({ ...request, type: z.literal(type), groupId: groupIdSchema }).strict();

/**
 * `rejoin`: a member's app back after its link dropped; it wants its place back and nothing else,
 * so a member dropped meanwhile is told so instead of joining anew (docs/protocol.md, "Group calls").
 */
export const groupJoinSchema = z.object({ ...request, type: z.literal('group.join'), groupId: groupIdSchema, rejoin: z.literal(true).optional() }).strict();
/** `busy`: the invitee's app was in another call and did not ring (docs/protocol.md, "Group calls"). */
export const groupDeclineSchema = z.object({ ...request, type: z.literal('group.decline'), groupId: groupIdSchema, reason: z.enum(['busy']).optional() }).strict();
export const groupLeaveSchema = groupOnly('group.leave');
export const groupEndSchema = groupOnly('group.end');

export const groupRemoveSchema = z.object({ ...request, type: z.literal('group.remove'), groupId: groupIdSchema, userId: userIdSchema }).strict();

export const groupCommitSchema = z
  .object({
    ...request,
    type: z.literal('group.commit'),
    groupId: groupIdSchema,
    epoch: epochSchema,
    commit: base64UrlBlob(MAX_COMMIT_BYTES),
    welcome: base64UrlBlob(MAX_WELCOME_BYTES).optional(),
    /** Whom the Welcome is for: one user, or each user the commit adds (one Welcome serves them all). */
    welcomeTo: z.union([userIdSchema, z.array(userIdSchema).min(1).max(MAX_GROUP_INVITEES)]).optional(),
  })
  .strict()
  .refine((message) => (message.welcome === undefined) === (message.welcomeTo === undefined), {
    message: 'welcome and welcomeTo go together',
    path: ['welcomeTo'],
  });

/** A member's state, an MLS application message the server relays to the call's present members without reading it. */
export const groupStateOutSchema = z
  .object({ ...request, type: z.literal('group.state'), groupId: groupIdSchema, state: base64UrlBlob(MAX_MEMBER_STATE_BYTES) })
  .strict();

export const groupSignalOutSchema = z
  .object({ ...request, type: z.literal('group.signal'), groupId: groupIdSchema, to: userIdSchema, data: signalDataSchema, dtls: groupDtlsSchema.optional() })
  .strict();

// Server → client.

export const keysPackagesSchema = z
  .object({
    v: versionField,
    type: z.literal('keys.packages'),
    groupId: groupIdSchema,
    packages: z.array(z.object({ userId: userIdSchema, package: keyPackageSchema }).strict()).max(MAX_GROUP_INVITEES),
    /** Asked-for users who have published nothing (or not since they enrolled this device). */
    missing: z.array(userIdSchema).max(MAX_GROUP_INVITEES),
  })
  .strict();

/** The answer to keys.publish: the set is stored, and this session can be rung for group calls. */
export const keysPublishedSchema = z
  .object({ v: versionField, type: z.literal('keys.published'), oneTime: z.number().int().min(0).max(MAX_KEY_PACKAGES) })
  .strict();

/** The answer to group.create and to the owner's group.invite: whom the server rang. */
export const groupRungSchema = z
  .object({
    v: versionField,
    type: z.literal('group.rung'),
    groupId: groupIdSchema,
    epoch: epochSchema,
    /** Invitees whose app was told; the others were offline or run an app without group calls. */
    rung: z.array(userIdSchema).max(MAX_GROUP_INVITEES),
    unavailable: z.array(userIdSchema).max(MAX_GROUP_INVITEES),
  })
  .strict();

export const groupInviteInSchema = z
  .object({
    v: versionField,
    type: z.literal('group.invite'),
    groupId: groupIdSchema,
    from: userIdSchema,
    media: callMediaSchema,
    invitees: inviteesSchema,
    members: membersSchema,
    ...signedInviteFields,
    /** Only when 'sfu' (an app that predates meetings never sees the field in a mesh call). */
    transport: groupTransportSchema.optional(),
  })
  .strict();

/** To the members: the owner signed a new invite list (their apps accept Adds only for users on it). */
export const groupInvitedSchema = z
  .object({ v: versionField, type: z.literal('group.invited'), groupId: groupIdSchema, invitees: inviteesSchema, ...signedInviteFields })
  .strict();

export const groupJoinedSchema = z
  .object({
    v: versionField,
    type: z.literal('group.joined'),
    groupId: groupIdSchema,
    userId: userIdSchema,
    members: membersSchema,
    epoch: epochSchema,
    /** Only when 'sfu': the newcomer (or a member back after its link dropped) learns it here. */
    transport: groupTransportSchema.optional(),
  })
  .strict();

/** To the owner (at once) and the members: the call now goes through the SFU, for good. Invitees still ringing are rung again, with `transport` in the ring. */
export const groupTransportMessageSchema = z
  .object({ v: versionField, type: z.literal('group.transport'), groupId: groupIdSchema, transport: groupTransportSchema })
  .strict();

/** A member's state as `from` sent it, for the apps to open with MLS (the server cannot). */
export const groupStateInSchema = z
  .object({ v: versionField, type: z.literal('group.state'), groupId: groupIdSchema, from: userIdSchema, state: base64UrlBlob(MAX_MEMBER_STATE_BYTES) })
  .strict();

export const groupLeftSchema = z
  .object({
    v: versionField,
    type: z.literal('group.left'),
    groupId: groupIdSchema,
    userId: userIdSchema,
    reason: z.enum(['left', 'removed', 'disconnected', 'revoked']),
    members: membersSchema,
  })
  .strict();

export const groupDeclinedSchema = z
  .object({ v: versionField, type: z.literal('group.declined'), groupId: groupIdSchema, userId: userIdSchema, reason: z.enum(['busy']).optional() })
  .strict();

export const groupCommittedSchema = z
  .object({ v: versionField, type: z.literal('group.committed'), groupId: groupIdSchema, epoch: epochSchema, from: userIdSchema, commit: base64UrlBlob(MAX_COMMIT_BYTES) })
  .strict();

export const groupWelcomeSchema = z
  .object({ v: versionField, type: z.literal('group.welcome'), groupId: groupIdSchema, epoch: epochSchema, from: userIdSchema, welcome: base64UrlBlob(MAX_WELCOME_BYTES) })
  .strict();

export const groupSignalInSchema = z
  .object({ v: versionField, type: z.literal('group.signal'), groupId: groupIdSchema, from: userIdSchema, data: signalDataSchema, dtls: groupDtlsSchema.optional() })
  .strict();

export const groupEndedSchema = z
  .object({ v: versionField, type: z.literal('group.ended'), groupId: groupIdSchema, reason: z.enum(['ended', 'removed', 'empty', 'uninvited']) })
  .strict();

/** Client → server group and key-package messages. */
export const outgoingGroupSchemas = [
  keysPublishSchema,
  keysFetchSchema,
  groupCreateSchema,
  groupExtendSchema,
  groupJoinSchema,
  groupDeclineSchema,
  groupLeaveSchema,
  groupEndSchema,
  groupRemoveSchema,
  groupCommitSchema,
  groupSignalOutSchema,
  groupStateOutSchema,
] as const;

/** Server → client group and key-package messages. */
export const incomingGroupSchemas = [
  keysPackagesSchema,
  groupRungSchema,
  keysPublishedSchema,
  groupInviteInSchema,
  groupInvitedSchema,
  groupJoinedSchema,
  groupLeftSchema,
  groupDeclinedSchema,
  groupCommittedSchema,
  groupWelcomeSchema,
  groupSignalInSchema,
  groupEndedSchema,
  groupTransportMessageSchema,
  groupStateInSchema,
] as const;

export type OutgoingGroupMessage = z.infer<(typeof outgoingGroupSchemas)[number]>;
export type IncomingGroupMessage = z.infer<(typeof incomingGroupSchemas)[number]>;
export type GroupCommit = z.infer<typeof groupCommitSchema>;

const incomingGroupTypes: ReadonlySet<string> = new Set(incomingGroupSchemas.map((schema) => schema.shape.type.value));

/** Whether a server message is one of the group-call or key-package ones. */
export function isIncomingGroupMessage<T extends { type: string }>(message: T): message is Extract<T, IncomingGroupMessage> {
  return incomingGroupTypes.has(message.type);
}
