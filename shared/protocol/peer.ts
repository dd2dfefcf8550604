import { z } from 'zod';
import { PROTOCOL_VERSION } from './version';

/*
 * Messages between the two apps in a call, over simple-peer's data channel: peer to peer and
 * DTLS-encrypted, never through the server. Only call-control facts travel here (a screen share
 * started or stopped; in a group call, each member's microphone, camera and share state, sent to
 * every other member over their pair's channel); anything else, or anything malformed, is ignored
 * by the receiver.
 */

/** No message comes near this; a bigger one is dropped unparsed. */
export const MAX_PEER_MESSAGE_CHARS = 1024;

export const peerMessageSchema = z.discriminatedUnion('type', [
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('screen-share'), sharing: z.boolean() }).strict(),
  z
    .object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('member-state'), muted: z.boolean(), cameraOff: z.boolean(), sharing: z.boolean() })
    .strict(),
]);
export type PeerMessage = z.infer<typeof peerMessageSchema>;

export function encodePeerMessage(message: PeerMessage): string {
  return JSON.stringify(peerMessageSchema.parse(message));
}

/** The message, or null for anything that is not one (wrong shape, too big, not JSON, binary junk). */
export function parsePeerMessage(raw: unknown): PeerMessage | null {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof Uint8Array && raw.length <= MAX_PEER_MESSAGE_CHARS) text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
  else return null;
  if (text.length > MAX_PEER_MESSAGE_CHARS) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = peerMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
