import { z } from 'zod';
import { SIGNATURE_BYTES } from '../crypto/identity';
import { base64UrlBytes, callIdSchema, requestIdSchema, userIdSchema, versionField } from './fields';

/*
 * Call set-up messages. A client sends each with `to`; the server relays it with `from` stamped
 * by itself (a client cannot speak for anyone else) and never reads or keeps the handshake fields.
 */

export const fingerprintSchema = z.string().max(200).regex(/^sha-(256|384|512) [0-9A-Fa-f:]+$/, 'a DTLS fingerprint');

export const inviteAkeSchema = z.object({ commitment: base64UrlBytes(32), signature: base64UrlBytes(SIGNATURE_BYTES) }).strict();

/** The accept's and the confirm's handshake fields have the same shape: a key, a fingerprint, a signature. */
export const revealAkeSchema = z
  .object({ ephemeralKey: base64UrlBytes(32), fingerprint: fingerprintSchema, signature: base64UrlBytes(SIGNATURE_BYTES) })
  .strict();

export const callMediaSchema = z.object({ audio: z.boolean(), video: z.boolean() }).strict();

const sdpSchema = z.string().max(48_000);

/** What simple-peer emits on 'signal': a description, an ICE candidate, or a renegotiation request. */
export const signalDataSchema = z.union([
  z.object({ type: z.enum(['offer', 'answer', 'pranswer', 'rollback']), sdp: sdpSchema }).strict(),
  z
    .object({
      type: z.literal('candidate'),
      candidate: z
        .object({
          candidate: z.string().max(1024),
          sdpMLineIndex: z.number().int().min(0).max(64).nullish(),
          sdpMid: z.string().max(64).nullish(),
          usernameFragment: z.string().max(256).nullish(),
        })
        .strict(),
    })
    .strict(),
  z.object({ renegotiate: z.literal(true) }).strict(),
  // Only the kind: the app never asks with an RTCRtpTransceiverInit, and an open object here was
  // relayed at any nesting depth.
  z.object({ transceiverRequest: z.object({ kind: z.enum(['audio', 'video']) }).strict() }).strict(),
]);

export const declineReasonSchema = z.enum(['declined', 'key-changed', 'unsupported']);
export const hangupReasonSchema = z.enum(['hangup', 'connection-lost', 'mitm-detected', 'handshake-failed', 'decrypt-failed']);

/** The body of each call message, without its addressing. */
export const callBodies = {
  'call.invite': { media: callMediaSchema, ake: inviteAkeSchema },
  'call.ringing': {},
  'call.accept': { media: callMediaSchema, ake: revealAkeSchema },
  'call.confirm': { ake: revealAkeSchema },
  'call.decline': { reason: declineReasonSchema },
  'call.busy': {},
  'call.cancel': {},
  'call.signal': { data: signalDataSchema },
  'call.hangup': { reason: hangupReasonSchema },
} as const;

export type CallMessageType = keyof typeof callBodies;
export const callMessageTypes = Object.keys(callBodies) as CallMessageType[];

function outgoing<T extends CallMessageType>(type: T) {
  return z
    .object({ v: versionField, type: z.literal(type), id: requestIdSchema.optional(), callId: callIdSchema, to: userIdSchema, ...callBodies[type] })
    .strict();
}

function incoming<T extends CallMessageType>(type: T) {
  return z.object({ v: versionField, type: z.literal(type), callId: callIdSchema, from: userIdSchema, ...callBodies[type] }).strict();
}

/**
 * Client → server after it (re)connects while a call it is in is still up peer to peer: the
 * server may have restarted, or dropped this client for a moment. Never relayed. The server takes
 * the call back once both parties claim the same call id with complementary roles, or keeps it
 * when it still has it.
 */
export const callResumeSchema = z
  .object({
    v: versionField,
    type: z.literal('call.resume'),
    id: requestIdSchema.optional(),
    callId: callIdSchema,
    to: userIdSchema,
    role: z.enum(['caller', 'callee']),
  })
  .strict();

/** Client → server call messages. */
export const outgoingCallSchema = z.discriminatedUnion('type', [
  callResumeSchema,
  outgoing('call.invite'),
  outgoing('call.ringing'),
  outgoing('call.accept'),
  outgoing('call.confirm'),
  outgoing('call.decline'),
  outgoing('call.busy'),
  outgoing('call.cancel'),
  outgoing('call.signal'),
  outgoing('call.hangup'),
]);

/** Server → client call messages, relayed with the sender stamped by the server. */
export const incomingCallSchema = z.discriminatedUnion('type', [
  incoming('call.invite'),
  incoming('call.ringing'),
  incoming('call.accept'),
  incoming('call.confirm'),
  incoming('call.decline'),
  incoming('call.busy'),
  incoming('call.cancel'),
  incoming('call.signal'),
  incoming('call.hangup'),
]);

/** Server → client: the server itself ended a call, and says why. */
export const callEndedSchema = z
  .object({
    v: versionField,
    type: z.literal('call.ended'),
    callId: callIdSchema,
    reason: z.enum(['timeout', 'peer-disconnected', 'peer-revoked']),
  })
  .strict();

export type OutgoingCallMessage = z.infer<typeof outgoingCallSchema>;
export type IncomingCallMessage = z.infer<typeof incomingCallSchema>;
export type CallEnded = z.infer<typeof callEndedSchema>;
export type SignalData = z.infer<typeof signalDataSchema>;
export type InviteAkeWire = z.infer<typeof inviteAkeSchema>;
export type RevealAkeWire = z.infer<typeof revealAkeSchema>;

/** The server's relay: the same message, addressed from the sender instead of to the target. */
export function relayedFrom(message: Exclude<OutgoingCallMessage, { type: 'call.resume' }>, from: string): IncomingCallMessage {
  const { to: _to, id: _id, ...body } = message;
  return { ...body, from };
}
