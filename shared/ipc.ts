import './zod-csp';
import { z } from 'zod';
import { hangupReasonSchema, signalDataSchema } from './protocol/call';
import { MAX_GROUP_MEMBERS, MAX_MESH_MEMBERS } from './protocol/group';
import { base64UrlBytes, callIdSchema, displayNameSchema, presenceSchema, userIdSchema } from './protocol/fields';
import { iceServerSchema } from './protocol/turn';
import { settingsPatchSchema, userSettingsSchema } from './settings-schema';

/*
 * The one IPC contract between the renderer and the main process. Both ends validate against it:
 * the bridge (preload, or the test harness) checks requests before they leave and responses when
 * they arrive; the host checks requests again before any handler runs, because a compromised
 * renderer does not go through the bridge.
 *
 * Errors cross IPC as data (`IpcResult`), not as thrown exceptions: Electron flattens a thrown
 * error into a message string, and the renderer needs the code.
 */

export const IPC_CONTRACT_VERSION = 1;

export const ipcErrorCodeSchema = z.enum([
  'unknown-channel',
  'bad-request',
  'bad-response',
  'forbidden-sender',
  'not-enrolled',
  'already-enrolled',
  'keystore-locked',
  'keystore-corrupt',
  'wrong-passphrase',
  'weak-passphrase',
  'invalid-link',
  'enroll-failed',
  'not-connected',
  'no-such-contact',
  'no-such-call',
  'no-such-group',
  /** A group-call step the MLS layer or the pinned keys refused; the message says which. */
  'group-refused',
  'key-changed',
  'in-call',
  'handshake-failed',
  'setting-locked',
  /** The call's SFU (Janus) did not answer the core, or answered something that is not its API. */
  'sfu-unreachable',
  /** Screen sharing cannot start here: no way to list screens, or the OS refused. */
  'share-unavailable',
  /** A screen-share pick that was never offered, came too late, or was already used. */
  'share-refused',
  'internal',
]);
export type IpcErrorCode = z.infer<typeof ipcErrorCodeSchema>;

export const ipcErrorSchema = z.object({ code: ipcErrorCodeSchema, message: z.string().max(2000) }).strict();

const ipcFailureSchema = z.object({ ok: z.literal(false), error: ipcErrorSchema }).strict();

/**
 * What crosses IPC for one request: the channel's own response or an error. The host builds it
 * from a value its channel's response schema has already checked; the bridge checks the whole of
 * it against that channel's schema (`resultSchemaOf`), never against an open envelope.
 */
export type IpcResult = { ok: true; value: unknown } | z.infer<typeof ipcFailureSchema>;

export class IpcError extends Error {
  override readonly name = 'IpcError';
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const noPayload = z.undefined();
const safetyDigitsSchema = z.string().length(60).regex(/^\d{60}$/);
const shortCodeSchema = z.string().length(12).regex(/^\d{12}$/);
/** A server's address as the core stored it (checked when it was enrolled). */
const serverUrlField = z.string().max(2048);
/** The company directory's own bound (shared/protocol/directory.ts). */
const MAX_CONTACTS = 100_000;
/** Well above the history the core keeps (500 entries by default). */
const MAX_HISTORY_ITEMS = 10_000;

/** Where the device's identity stands. The secret key itself never crosses IPC. */
export const identityStatusSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('not-enrolled'), passphraseRequired: z.boolean() }).strict(),
  z
    .object({ state: z.literal('locked'), userId: userIdSchema, displayName: displayNameSchema, serverUrl: serverUrlField })
    .strict(),
  z
    .object({
      state: z.literal('ready'),
      userId: userIdSchema,
      displayName: displayNameSchema,
      serverUrl: serverUrlField,
      sealer: z.enum(['os-keychain', 'passphrase']),
    })
    .strict(),
  z
    .object({
      state: z.literal('error'),
      code: z.enum(['keystore-corrupt', 'keystore-unreadable', 'keystore-unsupported-version', 'keystore-sealer-mismatch', 'config-invalid']),
      message: z.string().max(1000),
    })
    .strict(),
]);
export type IdentityStatus = z.infer<typeof identityStatusSchema>;

export const connectionStateSchema = z
  .object({
    state: z.enum(['offline', 'connecting', 'online', 'refused']),
    /** Why the server refused us (revoked, unknown user…); set with 'refused'. */
    reason: z.string().max(300).optional(),
    /**
     * With 'refused': what kind of refusal, so the screen can say what to do. 'unsupported-version':
     * the app and the server share no protocol version, and only an update helps.
     */
    code: z.enum(['unsupported-version', 'access', 'server-url-mismatch']).optional(),
    /**
     * With 'online': the most people one group call may hold on this server, the owner included
     * (the server says; 8 where it runs no SFU for meetings). The screens cap their pickers with it.
     */
    groupCallMax: z.number().int().min(3).max(MAX_GROUP_MEMBERS).optional(),
    /** When the next reconnection attempt is due, in ms; set with 'offline'. */
    retryInMs: z.number().int().nonnegative().optional(),
  })
  .strict();
export type ConnectionState = z.infer<typeof connectionStateSchema>;

export const contactSchema = z
  .object({
    id: userIdSchema,
    displayName: displayNameSchema,
    presence: presenceSchema,
    verified: z.boolean(),
    verifiedAt: z.number().int().nullable(),
    /** The key differs from the one first pinned, and the user has not verified the new one. */
    keyChanged: z.boolean(),
    /**
     * This device lost its record of the contact's key (a damaged or tampered contacts file): the
     * key now pinned was not checked against an earlier one, so it is gated like a changed key.
     */
    pinLost: z.boolean(),
    /** The pinned key (public, serialized): screens re-read the safety number whenever it changes. */
    identityKey: base64UrlBytes(33),
  })
  .strict();
const contactListSchema = z.array(contactSchema).max(MAX_CONTACTS);
/** The rows a screen can show at once, and the open contact, with room to spare. */
export const MAX_WATCHED_CONTACTS = 200;
export type Contact = z.infer<typeof contactSchema>;


export const mediaSchema = z.object({ audio: z.boolean(), video: z.boolean() }).strict();

const fingerprintSchema = z.string().max(200);

export const callStateSchema = z.enum(['outgoing', 'ringing', 'incoming', 'connecting', 'connected', 'ended']);
export const callEndReasonSchema = z.enum([
  'hangup',
  'remote-hangup',
  'declined',
  'busy',
  'cancelled',
  'timeout',
  'unavailable',
  'connection-lost',
  'peer-disconnected',
  'mitm-detected',
  'handshake-failed',
  'decrypt-failed',
  'server-lost',
  /** People were added: the call went on as a group call (docs/group-calls.md). */
  'upgraded',
]);

export const callViewSchema = z
  .object({
    callId: callIdSchema,
    peerId: userIdSchema,
    peerName: displayNameSchema,
    direction: z.enum(['outgoing', 'incoming']),
    state: callStateSchema,
    media: mediaSchema,
    /** What the other side asked for (invite or accept). */
    remoteMedia: mediaSchema.nullable(),
    startedAt: z.number().int(),
    connectedAt: z.number().int().nullable(),
    endedAt: z.number().int().nullable(),
    endReason: callEndReasonSchema.nullable(),
    /** 12 digits, once the handshake is done. */
    shortCode: shortCodeSchema.nullable(),
    peerVerified: z.boolean(),
    peerKeyChanged: z.boolean(),
  })
  .strict();
export type CallView = z.infer<typeof callViewSchema>;

/** The only secrets that ever reach the renderer: this call's two SFrame base keys (shared/protocol/call-codec.ts). */
export const callKeysSchema = z
  .object({
    sendKey: base64UrlBytes(32),
    receiveKey: base64UrlBytes(32),
    /** True for the side that makes the WebRTC offer. */
    initiator: z.boolean(),
  })
  .strict();
export type CallKeys = z.infer<typeof callKeysSchema>;

/** Far more events than a call ever has; the bound only keeps the number a plain integer. */
const MAX_CALL_EVENT_SEQ = 2 ** 31;

const callEventFields = {
  callId: callIdSchema,
  /** 1, 2, 3… per call, in the order the core emitted them: the renderer drops any it has passed. */
  seq: z.number().int().min(1).max(MAX_CALL_EVENT_SEQ),
};

/**
 * Everything the core tells the renderer about a call, as one ordered stream (docs/protocol.md,
 * "The call events"): where the call stands (`view`), its keys once the handshake is done (`keys`),
 * and the peer's signalling (`signal`), in exactly the order the core produced them.
 */
export const callEventSchema = z.discriminatedUnion('kind', [
  z.object({ ...callEventFields, kind: z.literal('view'), view: callViewSchema }).strict(),
  z.object({ ...callEventFields, kind: z.literal('keys'), keys: callKeysSchema }).strict(),
  z.object({ ...callEventFields, kind: z.literal('signal'), data: signalDataSchema }).strict(),
]);
export type CallEvent = z.infer<typeof callEventSchema>;
/** A call event before the core numbers it. */
type WithoutNumbering<E> = E extends CallEvent ? Omit<E, 'callId' | 'seq'> : never;
export type CallEventBody = WithoutNumbering<CallEvent>;

const callIdRequest = z.object({ callId: callIdSchema }).strict();

/*
 * Group calls (docs/group-calls.md): the core runs MLS and the server's group protocol; the
 * renderer gets the call as a view, each epoch's SFrame base key (the only group secret that
 * reaches it) and the members' pairwise signalling, as one ordered stream per group.
 */
/** Up to 50 over the SFU; a call without one is capped lower by the server (docs/protocol.md, "Group calls"). */
export { MAX_GROUP_MEMBERS, MAX_MESH_MEMBERS };
const groupInviteesSchema = z.array(userIdSchema).min(1).max(MAX_GROUP_MEMBERS - 1);
const groupUserListSchema = z.array(userIdSchema).max(MAX_GROUP_MEMBERS * 4);
export const groupMediaSchema = z.enum(['audio', 'video']);
/**
 * How a group call's media travels (docs/protocol.md, "Meetings over the SFU"): a full mesh of
 * pairs, or one stream up to the company's SFU and one down per member. The server chooses by the
 * call's size; once 'sfu' a call stays there. Either way frames are SFrame under the MLS keys.
 */
export const groupTransportSchema = z.enum(['mesh', 'sfu']);
export type GroupTransport = z.infer<typeof groupTransportSchema>;
export const groupCallStateSchema = z.enum(['incoming', 'joining', 'active', 'ended']);
export const groupEndReasonSchema = z.enum(['left', 'ended', 'removed', 'uninvited', 'empty', 'refused', 'member-refused', 'timeout', 'disconnected']);
/** An MLS leaf index, which is also the member's SFrame sender index (at most 65535 senders). */
const leafIndexSchema = z.number().int().min(0).max(65_535);
const epochNumberSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Four groups of five digits (shared/crypto/group-security-code.ts). */
export const groupSecurityCodeSchema = z.string().max(23).regex(/^\d{5} \d{5} \d{5} \d{5}$/);

export const groupViewSchema = z
  .object({
    groupId: callIdSchema,
    owner: userIdSchema,
    /** True on the owner's device. */
    outgoing: z.boolean(),
    media: groupMediaSchema,
    state: groupCallStateSchema,
    /** Everyone the owner's signed invites name, the owner excluded. */
    invitees: groupUserListSchema,
    /** Who is in the call as the server says; `index` is null until the MLS group has them. */
    members: z.array(z.object({ userId: userIdSchema, index: leafIndexSchema.nullable() }).strict()).max(MAX_GROUP_MEMBERS),
    unavailable: groupUserListSchema,
    declined: groupUserListSchema,
    /**
     * The owner, invitees and members whose safety number changed and is not confirmed here: the
     * screen marks them. Accepting a ring that names one needs `confirmKeyChange`; a member whose
     * key changes mid-call can no longer be followed by MLS here.
     */
    keyChanged: groupUserListSchema,
    epoch: epochNumberSchema.nullable(),
    securityCode: groupSecurityCodeSchema.nullable(),
    endReason: groupEndReasonSchema.nullable(),
    /**
     * The 1:1 call this group call continues: on the owner's device the call it upgraded, on the
     * other end's only once the core checked the invite against that live call (it then joins
     * without ringing). Null or absent for any other group call.
     */
    upgradeOf: callIdSchema.nullable().optional(),
    /** Invitees who were in another call when it rang, and were declined as busy by their app. */
    busy: groupUserListSchema.optional(),
    /** The call's transport as the server last said; 'mesh' until it says otherwise. */
    transport: groupTransportSchema,
  })
  .strict();
export type GroupView = z.infer<typeof groupViewSchema>;

/**
 * This device's seat in the call's SFU room (docs/protocol.md, "Meetings over the SFU"): the
 * page's Janus session sends `token` with every request and `roomToken` in its join. They admit
 * this member to this room only, until `expiresAt`; the core asks for a fresh seat before then.
 * Not a key: Janus forwards SFrame it cannot read.
 */
export const groupSeatSchema = z
  .object({
    url: z.url().max(512).regex(/^https?:\/\//, 'an http: or https: URL'),
    room: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    participantId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    token: z.string().min(1).max(512),
    roomToken: z.string().min(1).max(512),
    expiresAt: z.number().int().nonnegative(),
  })
  .strict();
export type GroupSeat = z.infer<typeof groupSeatSchema>;

/*
 * The page's requests to Janus, carried by the core (docs/protocol.md, "Reaching Janus from the
 * app"). The page may not reach the network itself (its CSP and the shell's request filter allow
 * only its own files), so the core sends each request to the URL of the seat it issued for that
 * group, with that seat's token, and hands back Janus's answer. The page names sessions and handles
 * by Janus's numbers, never a URL or a path; the core decides where the request goes.
 */
const janusIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** The page's own transaction id, so Janus's events can be matched to the request that caused them. */
const janusTransactionSchema = z.string().max(64).regex(/^[0-9a-f]{8,64}$/);
export const janusJsepSchema = z
  .object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(200_000), e2ee: z.boolean().optional() })
  .strict();
/** A feed to subscribe to or drop (VideoRoom's `streams`, `subscribe`, `unsubscribe`); a meeting has at most 50 members. */
const janusFeedsSchema = z.array(z.object({ feed: janusIdSchema, mid: z.string().max(16).optional() }).strict()).max(64);
/**
 * A subscription's streams: feeds to join with (`feed`), or, in a `configure`, one of its own
 * streams (`mid`) paused or sent (`send`) at a simulcast layer (`substream`, 0 the lowest).
 */
const janusStreamsSchema = z
  .array(
    z
      .object({ feed: janusIdSchema.optional(), mid: z.string().max(16).optional(), send: z.boolean().optional(), substream: z.number().int().min(0).max(2).optional() })
      .strict()
      .refine((stream) => stream.feed !== undefined || stream.mid !== undefined, 'a stream names a feed or a mid'),
  )
  .max(64);
/**
 * One VideoRoom request body: only the requests and fields the app's SFU session makes (a
 * publisher's join and publish, a subscriber's join, update, start and configure (its simulcast
 * layers)), closed like the rest of
 * the contract. Janus and the room's settings decide what each may do.
 */
export const janusBodySchema = z
  .object({
    request: z.enum(['join', 'publish', 'update', 'start', 'configure']),
    ptype: z.enum(['publisher', 'subscriber']).optional(),
    room: janusIdSchema.optional(),
    id: janusIdSchema.optional(),
    private_id: janusIdSchema.optional(),
    /** The seat's room token (VideoRoom's own `token`, not Janus's API token). */
    token: z.string().max(512).optional(),
    display: z.string().max(256).optional(),
    audiocodec: z.string().max(16).optional(),
    videocodec: z.string().max(16).optional(),
    streams: janusStreamsSchema.optional(),
    subscribe: janusFeedsSchema.optional(),
    unsubscribe: janusFeedsSchema.optional(),
  })
  .strict();
export type JanusBody = z.infer<typeof janusBodySchema>;
export const janusCallSchema = z.discriminatedUnion('kind', [
  /** A new Janus session for this seat. */
  z.object({ kind: z.literal('create'), transaction: janusTransactionSchema }).strict(),
  /** A VideoRoom handle in the session (the core names the plugin). */
  z.object({ kind: z.literal('attach'), session: janusIdSchema, transaction: janusTransactionSchema }).strict(),
  z
    .object({
      kind: z.literal('message'),
      session: janusIdSchema,
      handle: janusIdSchema,
      transaction: janusTransactionSchema,
      body: janusBodySchema,
      jsep: janusJsepSchema.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('detach'), session: janusIdSchema, handle: janusIdSchema, transaction: janusTransactionSchema }).strict(),
  z.object({ kind: z.literal('keepalive'), session: janusIdSchema, transaction: janusTransactionSchema }).strict(),
  z.object({ kind: z.literal('destroy'), session: janusIdSchema, transaction: janusTransactionSchema }).strict(),
  /** The long poll for the session's events: answers when Janus has some, or empty after about 30 s. */
  z.object({ kind: z.literal('poll'), session: janusIdSchema }).strict(),
]);
export type JanusCall = z.infer<typeof janusCallSchema>;
/** The most events one poll brings (the core asks Janus for no more). */
export const MAX_JANUS_EVENTS_PER_POLL = 10;
/** The most bytes of one answer of Janus the core takes. */
export const MAX_JANUS_ANSWER_BYTES = 1024 * 1024;
/**
 * Janus's answer to one request, or the events one poll brought (none when it timed out empty):
 * each message as JSON text, as Janus sent it (the core checked it is an object with a `janus`
 * field). Text, because Janus's messages have many shapes the contract need not follow, and the
 * contract's values stay closed; the page parses each and checks it in full before use.
 */
export const janusAnswerSchema = z.object({ messages: z.array(z.string().max(MAX_JANUS_ANSWER_BYTES)).max(MAX_JANUS_EVENTS_PER_POLL) }).strict();
export type JanusAnswer = z.infer<typeof janusAnswerSchema>;

/**
 * What a member shows the others about itself, sent MLS-encrypted through the server to every
 * member (so it works the same over the mesh and the SFU, and the server cannot read or forge it).
 */
export const groupMemberStateSchema = z
  .object({ muted: z.boolean(), cameraOff: z.boolean(), sharing: z.boolean(), handRaised: z.boolean() })
  .strict();
export type GroupMemberState = z.infer<typeof groupMemberStateSchema>;

/** One epoch's media keys for the frame-crypto worker, which owns and zeroes `baseKey`. */
export const groupKeysSchema = z
  .object({
    epoch: epochNumberSchema,
    ownIndex: leafIndexSchema,
    baseKey: base64UrlBytes(32),
    senders: z.array(z.object({ index: leafIndexSchema, userId: userIdSchema }).strict()).max(MAX_GROUP_MEMBERS),
  })
  .strict();
export type GroupKeys = z.infer<typeof groupKeysSchema>;

const groupEventFields = {
  groupId: callIdSchema,
  /** 1, 2, 3… per group, in the order the core emitted them. */
  seq: z.number().int().min(1).max(MAX_CALL_EVENT_SEQ),
};

/**
 * Everything the core tells the renderer about a group call, in order: the call (`view`), each
 * epoch's keys (`keys`), something of the group refused here (`refused`), and a member's pairwise
 * signalling (`signal`, only after the core held its SDP to that member's signed DTLS fingerprint).
 */
export const groupEventSchema = z.discriminatedUnion('kind', [
  z.object({ ...groupEventFields, kind: z.literal('view'), view: groupViewSchema }).strict(),
  z.object({ ...groupEventFields, kind: z.literal('keys'), keys: groupKeysSchema }).strict(),
  z
    .object({
      ...groupEventFields,
      kind: z.literal('refused'),
      code: z.string().max(40),
      message: z.string().max(500),
      userId: userIdSchema.optional(),
    })
    .strict(),
  z.object({ ...groupEventFields, kind: z.literal('signal'), from: userIdSchema, data: signalDataSchema }).strict(),
  /** A (fresh) seat in the call's SFU room, once the call's transport is 'sfu'. */
  z.object({ ...groupEventFields, kind: z.literal('seat'), seat: groupSeatSchema }).strict(),
  /** A member's state as it last sent it, authenticated by MLS as that member's. */
  z.object({ ...groupEventFields, kind: z.literal('member'), userId: userIdSchema, state: groupMemberStateSchema }).strict(),
]);
export type GroupEvent = z.infer<typeof groupEventSchema>;

const groupIdRequest = z.object({ groupId: callIdSchema }).strict();

const settingKeySchema = z.enum(Object.keys(userSettingsSchema.shape) as [keyof typeof userSettingsSchema.shape, ...(keyof typeof userSettingsSchema.shape)[]]);

export const settingsViewSchema = z
  .object({
    values: userSettingsSchema,
    /** Keys set by the organization's config that the user cannot change: shown as managed. */
    locked: z.array(settingKeySchema).max(settingKeySchema.options.length),
    /** The server this device is enrolled with, if any. */
    serverUrl: serverUrlField.nullable(),
  })
  .strict();
export type SettingsView = z.infer<typeof settingsViewSchema>;

export const historyItemSchema = z
  .object({
    callId: callIdSchema,
    peerId: userIdSchema,
    peerName: z.string().max(80),
    direction: z.enum(['outgoing', 'incoming']),
    startedAt: z.number().int(),
    answeredAt: z.number().int().nullable(),
    endedAt: z.number().int(),
    durationMs: z.number().int().nonnegative(),
    outcome: z.enum(['completed', 'missed', 'declined', 'busy', 'cancelled', 'failed', 'unanswered']),
    reason: z.string().max(200).nullable(),
    seen: z.boolean(),
  })
  .strict();
export type HistoryItem = z.infer<typeof historyItemSchema>;

export const historyViewSchema = z.object({ items: z.array(historyItemSchema).max(MAX_HISTORY_ITEMS), unseenMissed: z.number().int().nonnegative() }).strict();
export type HistoryView = z.infer<typeof historyViewSchema>;

/** Bounds for what the screen picker shows: the OS can list many windows with long titles. */
export const MAX_CAPTURE_SOURCES = 64;
export const MAX_THUMBNAIL_CHARS = 512 * 1024;

/** A screen or window the user may share, as Sealcall's own picker lists it. */
export const captureSourceSchema = z
  .object({
    /** desktopCapturer's id, e.g. "screen:0:0" or "window:1234:0". */
    id: z.string().max(108).regex(/^(screen|window):[\w:-]{1,100}$/),
    name: z.string().max(200),
    kind: z.enum(['screen', 'window']),
    /** A small PNG of the source, or null where the OS gives none. */
    thumbnail: z.string().max(MAX_THUMBNAIL_CHARS).regex(/^data:image\/png;base64,[A-Za-z0-9+/=]*$/).nullable(),
  })
  .strict();
export type CaptureSourceView = z.infer<typeof captureSourceSchema>;

/** Request and response schema for every invoke channel, by name. */
export const invokeChannels = {
  'app.info': {
    request: noPayload,
    response: z
      .object({
        version: z.string().max(64),
        contractVersion: z.literal(IPC_CONTRACT_VERSION),
        platform: z.enum(['linux', 'darwin', 'win32', 'other']),
        /** 'electron' in the shipped app, 'harness' when the e2e harness hosts the core. */
        host: z.enum(['electron', 'harness']),
      })
      .strict(),
  },
  'identity.status': { request: noPayload, response: identityStatusSchema },
  'identity.enroll': {
    request: z
      .object({
        /** The sealcall://enroll?... link from IT, as clicked or pasted. */
        link: z.string().max(2048),
        deviceName: displayNameSchema,
        /** Required where the OS keychain is unavailable (see identity.status). */
        passphrase: z.string().max(1024).optional(),
      })
      .strict(),
    response: identityStatusSchema,
  },
  'identity.unlock': { request: z.object({ passphrase: z.string().min(1).max(1024) }).strict(), response: identityStatusSchema },
  /** This user's own 30-digit half of every safety number they share (Settings shows it). */
  'identity.fingerprint': {
    request: noPayload,
    response: z.object({ userId: userIdSchema, digits: z.string().length(30).regex(/^\d{30}$/) }).strict(),
  },
  'connection.status': { request: noPayload, response: connectionStateSchema },
  /** "Retry now" while offline: skips the rest of the backoff wait. */
  'connection.reconnect': { request: noPayload, response: connectionStateSchema },
  'contacts.list': { request: noPayload, response: contactListSchema },
  'contacts.safetyNumber': {
    request: z.object({ userId: userIdSchema }).strict(),
    response: z
      .object({
        userId: userIdSchema,
        /** 60 digits. */
        digits: safetyDigitsSchema,
        /** The pinned key the number was computed for: a screen shows it only while that key is still pinned. */
        identityKey: base64UrlBytes(33),
        /** What the QR code carries. */
        scannable: z.string().max(200),
        verified: z.boolean(),
        keyChanged: z.boolean(),
      })
      .strict(),
  },
  /**
   * Marking verified names the number the user compared: the core refuses it (key-changed) unless
   * that is the number of the key pinned now. Unmarking needs no number.
   */
  'contacts.setVerified': {
    request: z.discriminatedUnion('verified', [
      z.object({ userId: userIdSchema, verified: z.literal(true), digits: safetyDigitsSchema }).strict(),
      z.object({ userId: userIdSchema, verified: z.literal(false) }).strict(),
    ]),
    response: contactSchema,
  },
  /**
   * The contacts the screen shows now (the rows in view and the open one): the core follows their
   * presence, besides verified contacts and the call history's. Each request replaces the last.
   */
  'contacts.watch': {
    request: z.object({ userIds: z.array(userIdSchema).max(MAX_WATCHED_CONTACTS) }).strict(),
    response: z.null(),
  },
  'contacts.compareScanned': {
    request: z.object({ userId: userIdSchema, scanned: z.string().max(200) }).strict(),
    response: z.object({ match: z.boolean() }).strict(),
  },
  'call.start': {
    request: z
      .object({
        /**
         * Chosen by the renderer (shared/protocol/call-codec.ts newCallId), so every event of the
         * call is known for its own from the first; the core refuses one it has seen before.
         */
        callId: callIdSchema,
        userId: userIdSchema,
        media: mediaSchema,
        /** This call's DTLS certificate fingerprint, signed into the handshake. */
        fingerprint: fingerprintSchema,
        /** The user saw the key-changed warning and chose "Call anyway". */
        confirmKeyChange: z.boolean(),
      })
      .strict(),
    response: callViewSchema,
  },
  'call.accept': {
    request: z
      .object({
        callId: callIdSchema,
        media: mediaSchema,
        fingerprint: fingerprintSchema,
        /** The caller's safety number changed and the user chose to answer anyway; refused without it. */
        confirmKeyChange: z.boolean().optional(),
      })
      .strict(),
    response: callViewSchema,
  },
  'call.decline': { request: callIdRequest, response: callViewSchema },
  'call.hangup': {
    request: z.object({ callId: callIdSchema, reason: hangupReasonSchema.optional() }).strict(),
    response: callViewSchema,
  },
  'call.signal': { request: z.object({ callId: callIdSchema, data: signalDataSchema }).strict(), response: z.null() },
  /** The WebRTC connection is up: the core checks the remote SDP's fingerprint against the signed one. */
  'call.connected': {
    request: z.object({ callId: callIdSchema, remoteSdp: z.string().max(48_000) }).strict(),
    response: z.object({ fingerprintOk: z.boolean(), call: callViewSchema }).strict(),
  },
  'call.current': { request: noPayload, response: callViewSchema.nullable() },
  /** The owner starts a group call; `groupId` is minted by the renderer like a call id. */
  'group.start': {
    request: z
      .object({
        groupId: callIdSchema,
        invitees: groupInviteesSchema,
        media: groupMediaSchema,
        /** This call's DTLS certificate fingerprint, signed for each pair by the core. */
        fingerprint: fingerprintSchema,
        /** The user saw that someone's safety number changed and chose to call anyway. */
        confirmKeyChange: z.boolean(),
        /**
         * "Add people" in a connected 1:1 call: its id. The call's other party must be among the
         * invitees; it joins without ringing, and the 1:1 call ends as `upgraded`.
         */
        upgradeFrom: callIdSchema.optional(),
      })
      .strict(),
    response: groupViewSchema,
  },
  /** The owner invites more people into a running group call. */
  'group.invite': {
    request: z.object({ groupId: callIdSchema, userIds: groupInviteesSchema, confirmKeyChange: z.boolean().optional() }).strict(),
    response: groupViewSchema,
  },
  'group.accept': {
    request: z.object({ groupId: callIdSchema, fingerprint: fingerprintSchema, confirmKeyChange: z.boolean().optional() }).strict(),
    response: groupViewSchema,
  },
  'group.decline': { request: groupIdRequest, response: z.null() },
  'group.leave': { request: groupIdRequest, response: z.null() },
  /** The owner ends the call for everyone. */
  'group.end': { request: groupIdRequest, response: z.null() },
  /** The owner takes a member out; the group rekeys without them. */
  'group.remove': { request: z.object({ groupId: callIdSchema, userId: userIdSchema }).strict(), response: z.null() },
  /** Pairwise signalling to one member; the core signs the pair's DTLS binding and checks every SDP. */
  'group.signal': { request: z.object({ groupId: callIdSchema, to: userIdSchema, data: signalDataSchema }).strict(), response: z.null() },
  /** This device's own state (mute, camera, share, raised hand), to every member of the call. */
  'group.memberState': { request: z.object({ groupId: callIdSchema, state: groupMemberStateSchema }).strict(), response: z.null() },
  /**
   * One request to the call's SFU, sent by the core to the seat it issued for this group (see
   * janusCallSchema). Fails `no-such-group` without a current seat, `sfu-unreachable` when Janus
   * does not answer; a poll may take up to about 40 s.
   */
  'group.janus': { request: z.object({ groupId: callIdSchema, call: janusCallSchema }).strict(), response: janusAnswerSchema },
  /** The group call this device is in or being rung for (after a reload). */
  'group.current': { request: noPayload, response: groupViewSchema.nullable() },
  'settings.get': { request: noPayload, response: settingsViewSchema },
  'settings.set': { request: settingsPatchSchema, response: settingsViewSchema },
  'history.list': { request: noPayload, response: historyViewSchema },
  'history.markSeen': { request: noPayload, response: historyViewSchema },
  'turn.iceServers': {
    request: noPayload,
    response: z.object({ iceServers: z.array(iceServerSchema).max(8), relayOnly: z.boolean() }).strict(),
  },
  /** The screens and windows that can be shared now; the next screen.choose must pick one of them. */
  'screen.sources': { request: noPayload, response: z.array(captureSourceSchema).max(MAX_CAPTURE_SOURCES) },
  /** Arms the user's pick for the next getDisplayMedia, once and briefly (see core/shell-policy/display-media.ts). */
  'screen.choose': { request: z.object({ sourceId: captureSourceSchema.shape.id }).strict(), response: z.null() },
} as const;

/** Events the main process pushes to the renderer, with their payload schemas. */
export const eventChannels = {
  'app.ready': z.object({ at: z.number().int().nonnegative() }).strict(),
  'identity.changed': identityStatusSchema,
  'connection.changed': connectionStateSchema,
  'contacts.changed': contactListSchema,
  'call.event': callEventSchema,
  'group.event': groupEventSchema,
  'settings.changed': settingsViewSchema,
  /** A sealcall:// link the OS handed the app; the renderer shows enrollment or starts the call. */
  'app.deepLink': z.object({ link: z.string().max(2048) }).strict(),
  /** "Accept" on the OS notification: the renderer answers, since it owns the camera and WebRTC. */
  'call.acceptRequested': z.object({ callId: callIdSchema }).strict(),
  'history.changed': historyViewSchema,
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type EventChannel = keyof typeof eventChannels;
export type RequestOf<C extends InvokeChannel> = z.infer<(typeof invokeChannels)[C]['request']>;
export type ResponseOf<C extends InvokeChannel> = z.infer<(typeof invokeChannels)[C]['response']>;
export type EventOf<E extends EventChannel> = z.infer<(typeof eventChannels)[E]>;

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(invokeChannels, channel);
}

export function isEventChannel(channel: unknown): channel is EventChannel {
  return typeof channel === 'string' && Object.hasOwn(eventChannels, channel);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
    .join('; ');
}

/** No request in the contract comes near this; a bigger one is refused before it is parsed. */
export const MAX_REQUEST_BYTES = 64 * 1024;

function encodedSize(payload: unknown): number | undefined {
  if (payload === undefined) return 0;
  try {
    return JSON.stringify(payload).length;
  } catch {
    // Cycles and BigInts are not plain data.
    return undefined;
  }
}

/** The host side's gate: an unknown channel or a bad payload is refused before any handler runs. */
export function parseRequest<C extends InvokeChannel>(channel: C, payload: unknown): RequestOf<C>;
export function parseRequest(channel: unknown, payload: unknown): unknown;
export function parseRequest(channel: unknown, payload: unknown): unknown {
  if (!isInvokeChannel(channel)) {
    throw new IpcError('unknown-channel', `unknown IPC channel ${JSON.stringify(String(channel)).slice(0, 80)}`);
  }
  const size = encodedSize(payload);
  if (size === undefined || size > MAX_REQUEST_BYTES) {
    throw new IpcError('bad-request', `bad request on ${channel}: the payload is too large or not plain data (limit ${MAX_REQUEST_BYTES} bytes)`);
  }
  const parsed = invokeChannels[channel].request.safeParse(payload);
  if (!parsed.success) throw new IpcError('bad-request', `bad request on ${channel}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

const resultSchemas = new Map<InvokeChannel, z.ZodType>();

/** The closed schema of a whole result on `channel`: its response schema, or an IPC error. */
export function resultSchemaOf(channel: InvokeChannel): z.ZodType {
  let schema = resultSchemas.get(channel);
  if (schema === undefined) {
    schema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: invokeChannels[channel].response }).strict(), ipcFailureSchema]);
    resultSchemas.set(channel, schema);
  }
  return schema;
}

export function parseResponse<C extends InvokeChannel>(channel: C, value: unknown): ResponseOf<C> {
  const parsed = invokeChannels[channel].response.safeParse(value);
  if (!parsed.success) throw new IpcError('bad-response', `bad response on ${channel}: ${describeIssues(parsed.error)}`);
  // TypeScript cannot relate a schema picked by a generic key to that key's inferred type.
  return parsed.data as ResponseOf<C>;
}

export function parseEvent<E extends EventChannel>(event: E, payload: unknown): EventOf<E> {
  const parsed = eventChannels[event].safeParse(payload);
  if (!parsed.success) throw new IpcError('bad-response', `bad payload on event ${event}: ${describeIssues(parsed.error)}`);
  // TypeScript cannot relate a schema picked by a generic key to that key's inferred type.
  return parsed.data as EventOf<E>;
}

/** Turns whatever a handler threw into an IpcResult, without leaking internals of unexpected errors. */
export function toErrorResult(error: unknown): IpcResult {
  if (error instanceof IpcError) return { ok: false, error: { code: error.code, message: error.message } };
  return { ok: false, error: { code: 'internal', message: 'internal error in the main process' } };
}

/** How a bridge reaches its host: ipcRenderer in the preload, a Playwright binding in the harness. */
export interface IpcTransport {
  invoke: (channel: string, payload: unknown) => Promise<unknown>;
  subscribe: (event: string, listener: (payload: unknown) => void) => () => void;
}

/** What the renderer sees as `window.sealcall`. */
export interface SealcallBridge {
  invoke<C extends InvokeChannel>(channel: C, ...request: RequestOf<C> extends undefined ? [] : [RequestOf<C>]): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void;
}

export function createBridge(transport: IpcTransport): SealcallBridge {
  return Object.freeze({
    async invoke<C extends InvokeChannel>(channel: C, ...request: unknown[]): Promise<ResponseOf<C>> {
      const payload: unknown = parseRequest(channel as string, request[0]);
      const parsed = resultSchemaOf(channel).safeParse(await transport.invoke(channel, payload));
      if (!parsed.success) throw new IpcError('bad-response', `bad response on ${channel}: ${describeIssues(parsed.error)}`);
      // The schema was picked by the channel, so TypeScript cannot see what it proved.
      const result = parsed.data as { ok: true; value: ResponseOf<C> } | z.infer<typeof ipcFailureSchema>;
      if (!result.ok) throw new IpcError(result.error.code, result.error.message);
      return result.value;
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      if (!isEventChannel(event)) throw new IpcError('unknown-channel', `unknown IPC event ${String(event)}`);
      return transport.subscribe(event, (payload) => {
        let parsed: EventOf<E>;
        try {
          parsed = parseEvent(event, payload);
        } catch {
          // A payload the contract does not allow is dropped rather than handed to the UI.
          return;
        }
        listener(parsed);
      });
    },
  });
}

/** The two Electron IPC channels that carry the whole contract (preload ↔ shell). */
export const ELECTRON_INVOKE_CHANNEL = 'sealcall:invoke';
export const ELECTRON_EVENT_CHANNEL = 'sealcall:event';

/** Listener bookkeeping for a transport's `subscribe`, shared by the preload and the e2e harness. */
export function createEventFanout(): {
  subscribe: IpcTransport['subscribe'];
  dispatch: (event: string, payload: unknown) => void;
} {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    subscribe: (event, listener) => {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      // A wrapper per subscription, so the same function subscribed twice unsubscribes once each.
      const entry = (payload: unknown): void => {
        listener(payload);
      };
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    dispatch: (event, payload) => {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
    },
  };
}

/** How an IPC failure reaches page code: a plain object, because that is what survives contextBridge. */
export interface PortableIpcError {
  name: 'IpcError';
  code: IpcErrorCode;
  message: string;
}

/**
 * The bridge as it is exposed to the page. contextBridge copies a rejected Error into the page as
 * a bare Error with only its message (electron/electron#25596), so the code would be lost; a plain
 * object crosses intact. The harness exposes the same form, so the renderer sees one shape.
 */
export function toPortableBridge(bridge: SealcallBridge): SealcallBridge {
  const portable = (error: unknown): PortableIpcError => {
    if (error instanceof IpcError) return { name: 'IpcError', code: error.code, message: error.message };
    return { name: 'IpcError', code: 'internal', message: 'the IPC call failed' };
  };
  return Object.freeze({
    invoke: (<C extends InvokeChannel>(channel: C, ...request: RequestOf<C> extends undefined ? [] : [RequestOf<C>]) =>
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see the comment above
      bridge.invoke(channel, ...request).catch((error: unknown) => Promise.reject(portable(error)))),
    on: bridge.on.bind(bridge),
  });
}

/** The code of an IPC failure as the page receives it, or undefined for anything else. */
export function ipcErrorCode(error: unknown): IpcErrorCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const parsed = ipcErrorCodeSchema.safeParse((error as { code?: unknown }).code);
  return parsed.success ? parsed.data : undefined;
}
