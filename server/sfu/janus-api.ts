import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/*
 * The Sealcall server's client for the Janus API (docs/deployment.md, "Janus for meetings"), over
 * Janus's own HTTP transport on loopback rather than janode: the server makes a handful of
 * request/response calls (session, attach, one VideoRoom request, detach), each a plain POST that
 * Node's fetch does, and every reply is validated here with zod anyway. janode speaks WebSocket
 * only and would add a dependency, a long-lived connection to babysit and its own event model for
 * no less code on our side.
 *
 * Each control action runs in a Janus session of its own, destroyed at once: rooms belong to the
 * VideoRoom plugin, not to the session that created them, so the server keeps no Janus state and
 * a Janus restart costs it nothing but the rooms (re-created on the next seat asked for).
 */

/** Janus down, unreachable, or answering something that is not the Janus API. */
export class JanusUnavailableError extends Error {
  override readonly name = 'JanusUnavailableError';
}

/** Janus (or its VideoRoom plugin) refused a request: its numeric code and reason. */
export class JanusRefusedError extends Error {
  override readonly name = 'JanusRefusedError';
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly request: string,
  ) {
    super(`Janus refused ${request}: ${reason} (${code})`);
  }
}

/** VideoRoom's error codes we act on (janus_videoroom.c's JANUS_VIDEOROOM_ERROR_*). */
export const VIDEOROOM_ERROR = { noSuchRoom: 426, roomExists: 427, noSuchFeed: 428, unauthorized: 433 } as const;

const idSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const janusErrorSchema = z.object({ janus: z.literal('error'), error: z.object({ code: z.number().int(), reason: z.string().max(2000) }) });
const createdSchema = z.object({ janus: z.literal('success'), data: z.object({ id: idSchema }) });
const ackSchema = z.object({ janus: z.literal('success') });
const pluginReplySchema = z.object({
  janus: z.literal('success'),
  plugindata: z.object({ plugin: z.literal('janus.plugin.videoroom'), data: z.record(z.string(), z.unknown()) }),
});
const pluginErrorSchema = z.object({ error_code: z.number().int(), error: z.string().max(2000) });

const roomCreatedSchema = z.object({ videoroom: z.literal('created'), room: idSchema });
const existsSchema = z.object({ videoroom: z.literal('success'), room: idSchema, exists: z.boolean() });
const allowedSchema = z.object({ videoroom: z.literal('success'), room: idSchema, allowed: z.array(z.string()).max(10_000) });
const successSchema = z.object({ videoroom: z.literal('success') });
const destroyedSchema = z.object({ videoroom: z.literal('destroyed'), room: idSchema });
const participantsSchema = z.object({
  videoroom: z.literal('participants'),
  room: idSchema,
  participants: z.array(z.object({ id: idSchema, display: z.string().max(1000).optional(), publisher: z.boolean() })).max(10_000),
});
const forwardSchema = z.object({
  videoroom: z.literal('rtp_forward'),
  room: idSchema,
  publisher_id: idSchema,
  forwarders: z.array(z.object({ stream_id: z.number().int(), type: z.string(), port: z.number().int(), host: z.string() })).max(16),
});

export interface RoomSettings {
  room: number;
  secret: string;
  description: string;
  /** Most publishers at once: a meeting's size. */
  publishers: number;
  /** Video bitrate cap per publisher, bits per second. */
  bitrate: number;
}

export interface JanusApiOptions {
  /** e.g. http://127.0.0.1:8088/janus */
  url: string;
  apiSecret: string;
  adminKey: string;
  /** Per HTTP request. */
  timeoutMs?: number;
}

export class JanusApi {
  private readonly timeoutMs: number;

  constructor(private readonly options: JanusApiOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /**
   * A room for one meeting: only joins with a token the server signed for this room and put on its
   * allowed list; media marked end-to-end encrypted (Janus forwards it and never needs to read
   * it); VP8 (simulcast allowed) and Opus only; subscriptions tied to a publisher's private id, so
   * that kicking a participant stops what it receives too; not listed, not saved to disk.
   */
  async createRoom(settings: RoomSettings): Promise<void> {
    await this.videoroom('create', {
      room: settings.room,
      admin_key: this.options.adminKey,
      secret: settings.secret,
      description: settings.description,
      permanent: false,
      is_private: true,
      publishers: settings.publishers,
      bitrate: settings.bitrate,
      audiocodec: 'opus',
      videocodec: 'vp8',
      require_e2ee: true,
      signed_tokens: true,
      require_pvtid: true,
      allowed: [],
      notify_joining: true,
    }, roomCreatedSchema);
  }

  async exists(room: number): Promise<boolean> {
    return (await this.videoroom('exists', { room }, existsSchema)).exists;
  }

  /** Adds (or removes) join tokens; returns the room's whole allowed list after the change. */
  async allowed(room: number, secret: string, action: 'add' | 'remove', tokens: readonly string[]): Promise<string[]> {
    return (await this.videoroom('allowed', { room, secret, action, allowed: tokens }, allowedSchema)).allowed;
  }

  async kick(room: number, secret: string, participantId: number): Promise<void> {
    await this.videoroom('kick', { room, secret, id: participantId }, successSchema);
  }

  /** Who is in the room as a participant (publishing or not). */
  async participants(room: number): Promise<{ id: number; publisher: boolean }[]> {
    return (await this.videoroom('listparticipants', { room }, participantsSchema)).participants.map(({ id, publisher }) => ({ id, publisher }));
  }

  async destroyRoom(room: number, secret: string): Promise<void> {
    await this.videoroom('destroy', { room, secret, permanent: false }, destroyedSchema);
  }

  /** Tests only: copies a publisher's RTP to a UDP port (needs the admin key: lock_rtp_forward). */
  async rtpForward(room: number, secret: string, publisherId: number, host: string, streams: { mid: string; port: number }[]): Promise<void> {
    await this.videoroom('rtp_forward', { room, secret, admin_key: this.options.adminKey, publisher_id: publisherId, host, streams }, forwardSchema);
  }

  /** One VideoRoom request in a session of its own, torn down whatever the answer. */
  private async videoroom<T>(request: string, body: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const session = (await this.post('', { janus: 'create' }, createdSchema, 'create')).data.id;
    try {
      const handle = (await this.post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' }, createdSchema, 'attach')).data.id;
      const reply = await this.post(`/${session}/${handle}`, { janus: 'message', body: { request, ...body } }, pluginReplySchema, request);
      const data = reply.plugindata.data;
      const refused = pluginErrorSchema.safeParse(data);
      if (refused.success) throw new JanusRefusedError(refused.data.error_code, refused.data.error, request);
      const parsed = schema.safeParse(data);
      if (!parsed.success) throw new JanusUnavailableError(`Janus answered ${request} with something unexpected (${describeIssue(parsed.error)})`);
      return parsed.data;
    } finally {
      // Best effort: Janus drops an idle session after its session_timeout anyway.
      await this.post(`/${session}`, { janus: 'destroy' }, ackSchema, 'destroy').catch(() => undefined);
    }
  }

  private async post<T>(path: string, message: Record<string, unknown>, schema: z.ZodType<T>, request: string): Promise<T> {
    const transaction = randomBytes(9).toString('base64url');
    let response: Response;
    try {
      response = await fetch(`${this.options.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...message, transaction, apisecret: this.options.apiSecret }),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new JanusUnavailableError(`Janus at ${this.options.url} did not answer ${request}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    let reply: unknown;
    try {
      const text = await response.text();
      if (text.length > 1_000_000) throw new Error('an answer over 1 MB');
      reply = JSON.parse(text) as unknown;
    } catch (error) {
      throw new JanusUnavailableError(`Janus at ${this.options.url} answered ${request} with something that is not JSON (HTTP ${response.status}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const failed = janusErrorSchema.safeParse(reply);
    if (failed.success) throw new JanusRefusedError(failed.data.error.code, failed.data.error.reason, request);
    const parsed = schema.safeParse(reply);
    if (!parsed.success) throw new JanusUnavailableError(`Janus at ${this.options.url} answered ${request} with something unexpected (${describeIssue(parsed.error)})`);
    if (typeof reply === 'object' && reply !== null && 'transaction' in reply && reply.transaction !== transaction) {
      throw new JanusUnavailableError(`Janus at ${this.options.url} answered ${request} for another transaction`);
    }
    return parsed.data;
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || 'reply'}: ${issue.message}`;
}
