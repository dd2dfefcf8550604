import { z } from 'zod';
import { authSchema, enrollSchema, helloSchema, welcomeSchema } from './auth';
import { MAX_MESSAGE_DEPTH, nestsDeeperThan } from './depth';
import { callEndedSchema, incomingCallSchema, outgoingCallSchema } from './call';
import {
  directoryDeltaSchema,
  directoryRemovedSchema,
  directorySyncSchema,
  directoryUserSchema,
  presenceSnapshotSchema,
  presenceSubscribeSchema,
  presenceUpdateSchema,
} from './directory';
import { ProtocolError, protocolErrorCodeSchema } from './errors';
import { callIdSchema, requestIdSchema, versionField } from './fields';
import { epochSchema, groupIdSchema, incomingGroupSchemas, outgoingGroupSchemas } from './group';
import { sfuJoinSchema, sfuSeatSchema } from './sfu';
import { turnCredentialsSchema, turnRequestSchema } from './turn';
import { PROTOCOL_VERSION } from './version';

/** Server → client: a refusal, with the id of the request it answers when there was one. */
export const errorMessageSchema = z
  .object({
    v: versionField,
    type: z.literal('error'),
    code: protocolErrorCodeSchema,
    message: z.string().max(500),
    ref: requestIdSchema.optional(),
    callId: callIdSchema.optional(),
    groupId: groupIdSchema.optional(),
    /** With `stale-epoch`: the group's current epoch, for the committer to catch up to. */
    epoch: epochSchema.optional(),
  })
  .strict();

const clientSchemas = [authSchema, enrollSchema, directorySyncSchema, presenceSubscribeSchema, turnRequestSchema, sfuJoinSchema, ...outgoingGroupSchemas] as const;
const serverSchemas = [
  helloSchema,
  welcomeSchema,
  directoryDeltaSchema,
  directoryUserSchema,
  directoryRemovedSchema,
  presenceSnapshotSchema,
  presenceUpdateSchema,
  turnCredentialsSchema,
  sfuSeatSchema,
  callEndedSchema,
  errorMessageSchema,
  ...incomingGroupSchemas,
] as const;

export const clientMessageSchema = z.union([z.discriminatedUnion('type', clientSchemas), outgoingCallSchema]);
export const serverMessageSchema = z.union([z.discriminatedUnion('type', serverSchemas), incomingCallSchema]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export type ServerMessageType = ServerMessage['type'];

export const clientMessageTypes: readonly ClientMessageType[] = [
  ...clientSchemas.map((schema) => schema.shape.type.value),
  ...outgoingCallSchema.options.map((schema) => schema.shape.type.value),
];

/** A short, safe rendering of an untrusted value for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  return (JSON.stringify(value) as string | undefined ?? typeof value).slice(0, 60);
}

/**
 * Parses with the one schema that the message's type names, rather than trying a union: the error
 * then names the field that is wrong (a union can only say "invalid input"), and the relay's hot
 * path validates one schema instead of up to nine.
 */
function parseWith<T>(schemas: ReadonlyMap<string, z.ZodType<T>>, input: unknown): T {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      throw new ProtocolError('bad-message', 'the message is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad-message', 'a message is a JSON object');
  }
  if (nestsDeeperThan(value, MAX_MESSAGE_DEPTH)) {
    throw new ProtocolError('bad-message', `a message nests at most ${MAX_MESSAGE_DEPTH} levels deep`);
  }
  const { v, type } = value as { v?: unknown; type?: unknown };
  if (v !== PROTOCOL_VERSION) {
    throw new ProtocolError('unsupported-version', `protocol version ${describe(v)} is not supported; this side speaks ${PROTOCOL_VERSION}`);
  }
  const schema = typeof type === 'string' ? schemas.get(type) : undefined;
  if (typeof type !== 'string' || !schema) {
    throw new ProtocolError('bad-message', `unknown message type ${describe(type)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'message';
    throw new ProtocolError('bad-message', `bad ${type} message: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Every schema a client may send, and every one a server may send: one per message type. */
export const clientMessageSchemas = [...clientSchemas, ...outgoingCallSchema.options] as const;
export const serverMessageSchemas = [...serverSchemas, ...incomingCallSchema.options] as const;

const byType = <T>(schemas: readonly (z.ZodType<T> & { shape: { type: { value: string } } })[]) =>
  new Map<string, z.ZodType<T>>(schemas.map((schema) => [schema.shape.type.value, schema]));

const clientSchemasByType = byType<ClientMessage>(clientMessageSchemas);
const serverSchemasByType = byType<ServerMessage>(serverMessageSchemas);

/** Parses a client message (a JSON string or a parsed value); throws ProtocolError with a clear reason. */
export function parseClientMessage(input: unknown): ClientMessage {
  return parseWith(clientSchemasByType, input);
}

/** Parses a server message; throws ProtocolError with a clear reason. */
export function parseServerMessage(input: unknown): ServerMessage {
  return parseWith(serverSchemasByType, input);
}
