import { fromBase64Url, toBase64Url } from '../crypto/bytes';
import type { AcceptAke, ConfirmAke, InviteAke } from '../crypto/handshake';
import type { InviteAkeWire, RevealAkeWire, SignalData } from './call';

/*
 * The wire forms of a call's binary and WebRTC parts, one codec for both ends: the core encodes
 * the handshake fields and the per-call keys, the renderer decodes the keys and encodes its
 * signals. Checking sizes and shapes is the schemas' job (shared/protocol/call.ts, shared/ipc.ts);
 * this only converts.
 */

const CALL_ID_BYTES = 16;

/** A fresh call id: 128 random bits, URL-safe base64 (22 characters, what `callIdSchema` takes). */
export function newCallId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(CALL_ID_BYTES)));
}

/** A call's two SFrame base keys and role, as they cross IPC. */
export interface WireCallKeys {
  sendKey: string;
  receiveKey: string;
  /** True for the side that makes the WebRTC offer. */
  initiator: boolean;
}

export function encodeCallKeys(keys: { sendKey: Uint8Array; receiveKey: Uint8Array; initiator: boolean }): WireCallKeys {
  return { sendKey: toBase64Url(keys.sendKey), receiveKey: toBase64Url(keys.receiveKey), initiator: keys.initiator };
}

/**
 * One key's bytes in a buffer of their own, so the page can transfer them to its worker; the
 * decoder's intermediate copy is zeroed.
 */
export function decodeCallKey(text: string): Uint8Array<ArrayBuffer> {
  const decoded = fromBase64Url(text);
  const bytes = new Uint8Array(decoded);
  decoded.fill(0);
  return bytes;
}

export function inviteAkeToWire(invite: Pick<InviteAke, 'commitment' | 'signature'>): InviteAkeWire {
  return { commitment: toBase64Url(invite.commitment), signature: toBase64Url(invite.signature) };
}

export function inviteAkeFromWire(wire: InviteAkeWire): Pick<InviteAke, 'commitment' | 'signature'> {
  return { commitment: fromBase64Url(wire.commitment), signature: fromBase64Url(wire.signature) };
}

/** The accept's and the confirm's revealed handshake fields have one wire form. */
export function revealAkeToWire(reveal: AcceptAke | ConfirmAke): RevealAkeWire {
  return { ephemeralKey: toBase64Url(reveal.ephemeralKey), fingerprint: reveal.fingerprint, signature: toBase64Url(reveal.signature) };
}

export function revealAkeFromWire(wire: RevealAkeWire): ConfirmAke {
  return { ephemeralKey: fromBase64Url(wire.ephemeralKey), fingerprint: wire.fingerprint, signature: fromBase64Url(wire.signature) };
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null;
}

const DESCRIPTION_TYPES = ['offer', 'answer', 'pranswer', 'rollback'] as const;

function descriptionType(value: unknown): (typeof DESCRIPTION_TYPES)[number] | undefined {
  return DESCRIPTION_TYPES.find((type) => type === value);
}

/**
 * What simple-peer emitted, rebuilt in the wire form the server relays (exactly the protocol's
 * fields, nothing else), or undefined for what the protocol does not carry. Sizes are checked by
 * the bridge against the contract. Written out rather than parsed with the zod schema: zod's
 * object parser probes for eval, which the renderer's CSP forbids.
 */
export function toWireSignal(data: unknown): SignalData | undefined {
  if (!isFields(data)) return undefined;
  const type = descriptionType(data['type']);
  if (type !== undefined && typeof data['sdp'] === 'string') return { type, sdp: data['sdp'] };
  const candidate = data['candidate'];
  if (data['type'] === 'candidate' && isFields(candidate) && typeof candidate['candidate'] === 'string') {
    return {
      type: 'candidate',
      candidate: {
        candidate: candidate['candidate'],
        sdpMLineIndex: typeof candidate['sdpMLineIndex'] === 'number' ? candidate['sdpMLineIndex'] : null,
        sdpMid: typeof candidate['sdpMid'] === 'string' ? candidate['sdpMid'] : null,
      },
    };
  }
  // simple-peer tags these with a `type` the wire form leaves out; the other side reads the flag.
  if (data['renegotiate'] === true) return { renegotiate: true };
  const request = data['transceiverRequest'];
  if (isFields(request) && (request['kind'] === 'audio' || request['kind'] === 'video')) return { transceiverRequest: { kind: request['kind'] } };
  return undefined;
}
