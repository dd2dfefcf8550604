import { z } from 'zod';
import { parseServerMessage, userIdSchema, type ServerMessage } from '../../shared/protocol';

/*
 * What instances tell each other over Redis. Redis is the deployment's own, but a message is
 * still checked whole before it is acted on: a malformed one is dropped, never half-applied.
 */

export type InstanceEvent =
  | { k: 'message'; u: string; m: ServerMessage }
  | { k: 'replace'; u: string; t: string; e: boolean };

const userId = z.string().min(1).max(256);
const eventSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('message'), u: userId, m: z.unknown() }).strict(),
  z.object({ k: z.literal('replace'), u: userId, t: z.string().min(1).max(64), e: z.boolean() }).strict(),
]);

/** Only who changed it: every instance reads the changes from the store itself, by version. */
const directorySchema = z.object({ from: z.string().min(1).max(64) }).strict();

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function parseInstanceEvent(text: string): InstanceEvent | undefined {
  const parsed = eventSchema.safeParse(json(text));
  if (!parsed.success) return undefined;
  const event = parsed.data;
  if (event.k === 'replace') return event;
  try {
    return { k: 'message', u: event.u, m: parseServerMessage(event.m) };
  } catch {
    return undefined;
  }
}

const MESSAGE_HEAD = '{"k":"message","u":"';
const MESSAGE_FIELD = '","m":';

/**
 * A `message` event laid out as the relay scripts and JSON.stringify write it, read without
 * parsing: the recipient, and the message text to send on as it is. The text was written by a
 * server instance (its serialisation of a client message it checked against the protocol, or a
 * script's own template), and re-parsing it here cost more than the rest of the hop; whoever can
 * publish in this Redis could rewrite calls and sessions anyway. Anything laid out otherwise
 * goes to parseInstanceEvent, which checks it whole.
 */
export function cutDelivery(text: string): { u: string; text: string } | undefined {
  if (!text.startsWith(MESSAGE_HEAD) || !text.endsWith('}}')) return undefined;
  // A user id holds no quote, so the first `","m":` closes it.
  const end = text.indexOf(MESSAGE_FIELD, MESSAGE_HEAD.length);
  if (end < 0) return undefined;
  const u = text.slice(MESSAGE_HEAD.length, end);
  const message = text.slice(end + MESSAGE_FIELD.length, -1);
  if (!message.startsWith('{"v":') || !userIdSchema.safeParse(u).success) return undefined;
  return { u, text: message };
}

export function parseDirectoryEvent(text: string): z.infer<typeof directorySchema> | undefined {
  const parsed = directorySchema.safeParse(json(text));
  return parsed.success ? parsed.data : undefined;
}
