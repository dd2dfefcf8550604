import { z } from 'zod';

/*
 * The app's side of Janus's HTTP API (docs/protocol.md, "Meetings over the SFU"): one Janus
 * session for one seat, its handles, requests answered either at once or by an event, and the
 * long poll that brings the events. The seat's `token` goes with every request; the room token is
 * the caller's to put in the join. Every answer from Janus is checked before it is used: the SFU
 * is not trusted (docs/threat-model.md, "A hostile SFU"), and it never sees a key.
 */

export interface JanusSeat {
  url: string;
  token: string;
}

const idSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const jsepSchema = z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(200_000), e2ee: z.boolean().optional() });
const replySchema = z.object({
  janus: z.string(),
  transaction: z.string().optional(),
  sender: idSchema.optional(),
  data: z.object({ id: idSchema }).optional(),
  error: z.object({ code: z.number(), reason: z.string().max(2000) }).optional(),
  plugindata: z.object({ plugin: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
  jsep: jsepSchema.optional(),
});
type Reply = z.infer<typeof replySchema>;

export type Jsep = z.infer<typeof jsepSchema>;
export interface PluginAnswer {
  data: Record<string, unknown>;
  jsep: Jsep | undefined;
}

export class JanusError extends Error {
  override readonly name = 'JanusError';
}

/** Events for a handle that no request is waiting for (a publisher list, a kick, a hang-up). */
export type HandleListener = (answer: PluginAnswer) => void;

/** How long one long poll may hang before Janus answers it empty (Janus's own limit is 30 s). */
const POLL_TIMEOUT_MS = 40_000;
const KEEPALIVE_MS = 25_000;
/** A request whose event never comes fails instead of waiting for ever. */
const EVENT_TIMEOUT_MS = 30_000;

export class JanusSession {
  readonly #seat: JanusSeat;
  readonly #id: number;
  readonly #waiting = new Map<string, { resolve(answer: PluginAnswer): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  readonly #listeners = new Map<number, HandleListener>();
  #closed = false;
  readonly #keepalive: ReturnType<typeof setInterval>;

  private constructor(seat: JanusSeat, id: number) {
    this.#seat = seat;
    this.#id = id;
    this.#keepalive = setInterval(() => {
      this.#post(`/${this.#id}`, { janus: 'keepalive' }).catch(() => undefined);
    }, KEEPALIVE_MS);
    void this.#poll();
  }

  static async open(seat: JanusSeat): Promise<JanusSession> {
    const reply = await post(seat, '', { janus: 'create' });
    if (reply.janus !== 'success' || reply.data === undefined) throw new JanusError(`Janus refused a session: ${describe(reply)}`);
    return new JanusSession(seat, reply.data.id);
  }

  async attach(listener: HandleListener): Promise<number> {
    const reply = await this.#post(`/${this.#id}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
    if (reply.janus !== 'success' || reply.data === undefined) throw new JanusError(`Janus refused to attach: ${describe(reply)}`);
    this.#listeners.set(reply.data.id, listener);
    return reply.data.id;
  }

  /** A VideoRoom request; resolves with its answer, at once or from the event it triggers. */
  async request(handle: number, body: Record<string, unknown>, jsep?: Jsep): Promise<PluginAnswer> {
    const transaction = newTransaction();
    const answered = new Promise<PluginAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(transaction);
        reject(new JanusError(`Janus did not answer ${String(body['request'])}`));
      }, EVENT_TIMEOUT_MS);
      this.#waiting.set(transaction, { resolve, reject, timer });
    });
    const reply = await this.#post(`/${this.#id}/${handle}`, { janus: 'message', body, ...(jsep === undefined ? {} : { jsep }) }, transaction);
    if (reply.janus === 'success' && reply.plugindata !== undefined) {
      this.#settle(transaction, { data: reply.plugindata.data, jsep: reply.jsep });
    } else if (reply.janus !== 'ack') {
      this.#fail(transaction, new JanusError(`Janus refused ${String(body['request'])}: ${describe(reply)}`));
    }
    const answer = await answered;
    const code = answer.data['error_code'];
    if (typeof code === 'number') throw new JanusError(`VideoRoom refused ${String(body['request'])}: ${String(answer.data['error'])} (${code})`);
    return answer;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    for (const [transaction] of this.#waiting) this.#fail(transaction, new JanusError('the Janus session was closed'));
    this.#post(`/${this.#id}`, { janus: 'destroy' }).catch(() => undefined);
  }

  #settle(transaction: string, answer: PluginAnswer): boolean {
    const waiter = this.#waiting.get(transaction);
    if (waiter === undefined) return false;
    clearTimeout(waiter.timer);
    this.#waiting.delete(transaction);
    waiter.resolve(answer);
    return true;
  }

  #fail(transaction: string, error: Error): void {
    const waiter = this.#waiting.get(transaction);
    if (waiter === undefined) return;
    clearTimeout(waiter.timer);
    this.#waiting.delete(transaction);
    waiter.reject(error);
  }

  #post(path: string, message: Record<string, unknown>, transaction = newTransaction()): Promise<Reply> {
    return post(this.#seat, path, message, transaction);
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      let events: unknown;
      try {
        const url = `${this.#seat.url}/${this.#id}?maxev=10&token=${encodeURIComponent(this.#seat.token)}`;
        const response = await fetch(url, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
        events = await response.json();
      } catch {
        // Janus restarting, or the network: try again in a moment (the loop ends once closed).
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      for (const raw of Array.isArray(events) ? events : [events]) {
        const event = replySchema.safeParse(raw);
        if (!event.success || event.data.plugindata === undefined) continue;
        const answer = { data: event.data.plugindata.data, jsep: event.data.jsep };
        if (event.data.transaction !== undefined && this.#settle(event.data.transaction, answer)) continue;
        if (event.data.sender !== undefined) this.#listeners.get(event.data.sender)?.(answer);
      }
    }
  }
}

function newTransaction(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(9)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function post(seat: JanusSeat, path: string, message: Record<string, unknown>, transaction = newTransaction()): Promise<Reply> {
  const response = await fetch(`${seat.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...message, transaction, token: seat.token }),
  });
  const parsed = replySchema.safeParse(await response.json());
  if (!parsed.success) throw new JanusError('Janus answered something that is not the Janus API');
  return parsed.data;
}

function describe(reply: Reply): string {
  return reply.error === undefined ? reply.janus : `${reply.error.reason} (${reply.error.code})`;
}
