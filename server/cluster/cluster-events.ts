import { z } from 'zod';
import { parseServerMessage, type ServerMessage } from '../../shared/protocol';

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

export function parseDirectoryEvent(text: string): z.infer<typeof directorySchema> | undefined {
  const parsed = directorySchema.safeParse(json(text));
  return parsed.success ? parsed.data : undefined;
}
