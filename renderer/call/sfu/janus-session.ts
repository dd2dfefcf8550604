import { z } from 'zod';
import { janusJsepSchema, type JanusBody, type JanusCall } from '../../../shared/ipc';
import { janusMessagesOf } from '../../../shared/janus-http';
import type { JanusTransport } from './janus-transport';

/*
 * The app's side of Janus's API (docs/protocol.md, "Meetings over the SFU"): one Janus session
 * for one seat, its handles, requests answered either at once or by an event, and the long poll
 * that brings the events. Every request goes through a JanusTransport (in the app, the core, which
 * adds the seat's token); the room token is the caller's to put in the join. Every answer from
 * Janus is checked before it is used: the SFU is not trusted (docs/threat-model.md, "A hostile
 * SFU"), and it never sees a key.
 */

const idSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Janus's own JSEP, as the contract bounds it, but open to fields a later Janus may add. */
const jsepSchema = janusJsepSchema.loose();
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

/** Events for a handle that no request is waiting for (a publisher list, a kick). */
export type HandleListener = (answer: PluginAnswer) => void;
/** Janus closed a handle's PeerConnection (`hangup`) or the handle itself (`detached`). */
export type HangupListener = (reason: string) => void;

/** What the session tells its owner about Janus itself. */
export interface JanusSessionEvents {
  /** Janus did not answer polls for a while (true), or answers again (false). */
  reachable?(reachable: boolean): void;
  /** Janus no longer knows the session (it restarted, or timed it out): a new seat must open another. */
  lost?(): void;
}

/**
 * Janus forgets a session after 60 s without a request (deploy/janus/janus.jcfg, session_timeout).
 * Often enough that a keepalive or two may take most of that to get through on a loaded machine:
 * at load average 80 to 120, with one every 25 s, Janus timed out six members' sessions.
 */
const KEEPALIVE_MS = 10_000;
/**
 * A request whose event never comes fails instead of waiting for ever. Generous: six members'
 * Janus on a loaded 2-core test machine took up to 46 s to answer a request.
 */
const EVENT_TIMEOUT_MS = 60_000;
/** Polls that fail in a row before Janus counts as unreachable. */
const UNREACHABLE_AFTER = 3;
/** Janus's own error for a session it does not know. */
const NO_SUCH_SESSION = 458;

export class JanusSession {
  readonly #transport: JanusTransport;
  readonly #id: number;
  readonly #waiting = new Map<string, { resolve(answer: PluginAnswer): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  readonly #listeners = new Map<number, { event: HandleListener; hangup: HangupListener | undefined }>();
  #closed = false;
  #failedPolls = 0;
  readonly #keepalive: ReturnType<typeof setInterval>;
  readonly #events: JanusSessionEvents;

  private constructor(transport: JanusTransport, id: number, events: JanusSessionEvents) {
    this.#transport = transport;
    this.#id = id;
    this.#events = events;
    this.#keepalive = setInterval(() => {
      this.#send({ kind: 'keepalive', session: this.#id, transaction: newTransaction() }).catch(() => undefined);
    }, KEEPALIVE_MS);
    void this.#poll();
  }

  static async open(transport: JanusTransport, events: JanusSessionEvents = {}): Promise<JanusSession> {
    const reply = await request(transport, { kind: 'create', transaction: newTransaction() });
    if (reply.janus !== 'success' || reply.data === undefined) throw new JanusError(`Janus refused a session: ${describe(reply)}`);
    return new JanusSession(transport, reply.data.id, events);
  }

  isClosed(): boolean {
    return this.#closed;
  }

  /** Janus's id of this session. */
  get id(): number {
    return this.#id;
  }

  async attach(listener: HandleListener, hangup?: HangupListener): Promise<number> {
    const reply = await this.#send({ kind: 'attach', session: this.#id, transaction: newTransaction() });
    if (reply.janus !== 'success' || reply.data === undefined) throw new JanusError(`Janus refused to attach: ${describe(reply)}`);
    this.#listeners.set(reply.data.id, { event: listener, hangup });
    return reply.data.id;
  }

  /** Lets a handle go (a subscription no longer wanted); Janus closes its PeerConnection. */
  detach(handle: number): void {
    this.#listeners.delete(handle);
    this.#send({ kind: 'detach', session: this.#id, handle, transaction: newTransaction() }).catch(() => undefined);
  }

  /** A VideoRoom request; resolves with its answer, at once or from the event it triggers. */
  async request(handle: number, body: JanusBody, jsep?: Jsep): Promise<PluginAnswer> {
    const transaction = newTransaction();
    const what = body.request;
    const answered = new Promise<PluginAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(transaction);
        reject(new JanusError(`Janus did not answer ${what}`));
      }, EVENT_TIMEOUT_MS);
      this.#waiting.set(transaction, { resolve, reject, timer });
    });
    const reply = await this.#send({ kind: 'message', session: this.#id, handle, transaction, body, ...(jsep === undefined ? {} : { jsep }) });
    if (reply.janus === 'success' && reply.plugindata !== undefined) {
      this.#settle(transaction, { data: reply.plugindata.data, jsep: reply.jsep });
    } else if (reply.janus !== 'ack') {
      this.#fail(transaction, new JanusError(`Janus refused ${what}: ${describe(reply)}`));
    }
    const answer = await answered;
    const code = answer.data['error_code'];
    if (typeof code === 'number') throw new JanusError(`VideoRoom refused ${what}: ${String(answer.data['error'])} (${code})`);
    return answer;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    for (const [transaction] of this.#waiting) this.#fail(transaction, new JanusError('the Janus session was closed'));
    this.#send({ kind: 'destroy', session: this.#id, transaction: newTransaction() }).catch(() => undefined);
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

  async #send(call: JanusCall): Promise<Reply> {
    const reply = await request(this.#transport, call);
    // Janus forgot the session (it timed it out): asking again on it cannot work, only a new session can.
    if (reply.janus === 'error' && reply.error?.code === NO_SUCH_SESSION) this.#lose();
    return reply;
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      let events: unknown[];
      try {
        events = janusMessagesOf(await this.#transport.send({ kind: 'poll', session: this.#id }));
      } catch {
        // Janus restarting, the network, or the core refusing (sfu-unreachable): try again in a
        // moment (the loop ends once closed).
        this.#failedPolls += 1;
        if (this.#failedPolls === UNREACHABLE_AFTER) this.#events.reachable?.(false);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (this.isClosed()) return;
      if (this.#failedPolls >= UNREACHABLE_AFTER) this.#events.reachable?.(true);
      this.#failedPolls = 0;
      for (const raw of events) {
        const event = replySchema.safeParse(raw);
        if (!event.success) continue;
        if (event.data.janus === 'error' && event.data.error?.code === NO_SUCH_SESSION) {
          this.#lose();
          return;
        }
        const sender = event.data.sender;
        if ((event.data.janus === 'hangup' || event.data.janus === 'detached') && sender !== undefined) {
          const reason = (raw as { reason?: unknown } | null)?.reason;
          this.#listeners.get(sender)?.hangup?.(typeof reason === 'string' ? reason.slice(0, 200) : event.data.janus);
          continue;
        }
        if (event.data.plugindata === undefined) continue;
        const answer = { data: event.data.plugindata.data, jsep: event.data.jsep };
        if (event.data.transaction !== undefined && this.#settle(event.data.transaction, answer)) continue;
        if (sender !== undefined) this.#listeners.get(sender)?.event(answer);
      }
    }
  }

  /** Janus forgot the session: every request on it fails from now on. */
  #lose(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    for (const [transaction] of this.#waiting) this.#fail(transaction, new JanusError('Janus lost the session'));
    this.#events.lost?.();
  }
}

function newTransaction(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(9)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** One request; Janus answers it with one message. */
async function request(transport: JanusTransport, call: JanusCall): Promise<Reply> {
  const answer = await transport.send(call);
  const parsed = replySchema.safeParse(janusMessagesOf(answer)[0]);
  if (!parsed.success) throw new JanusError('Janus answered something that is not the Janus API');
  return parsed.data;
}

function describe(reply: Reply): string {
  return reply.error === undefined ? reply.janus : `${reply.error.reason} (${reply.error.code})`;
}
