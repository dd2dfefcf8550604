import { MAX_JANUS_ANSWER_BYTES, type JanusAnswer, type JanusCall } from '../../../shared/ipc';
import { janusAnswerOf, janusHttpRequest } from '../../../shared/janus-http';
import { readBoundedBody } from '../net/bounded-body';

/*
 * The page's requests to the call's Janus, carried by the core (docs/protocol.md, "Reaching Janus
 * from the app"; docs/threat-model.md, "What a page can make the core send to Janus"). The page
 * names only Janus's session and handle ids; the URL and the token are the seat's, which the
 * server issued. Everything is bounded: time, answer size, requests in flight per call. None of
 * it puts the token (it is in the poll's URL) into an error message.
 */

/** Janus's API error for a session it does not know. */
const JANUS_NO_SUCH_SESSION = 458;

/** Where the current seat points, and the token Janus takes on it. */
export interface RelaySeat {
  readonly url: string;
  readonly token: string;
}

export interface JanusRelayLimits {
  /** A POST (Janus answers at once, or acks and answers in an event). */
  readonly postTimeoutMs: number;
  /** A long poll: Janus answers it empty after 30 s. */
  readonly pollTimeoutMs: number;
  readonly maxAnswerBytes: number;
  /** Per call: a page polls one session at a time, and two during a session's replacement. */
  readonly maxPolls: number;
  readonly maxOthers: number;
}

export const DEFAULT_JANUS_RELAY_LIMITS: JanusRelayLimits = {
  postTimeoutMs: 30_000,
  pollTimeoutMs: 45_000,
  maxAnswerBytes: MAX_JANUS_ANSWER_BYTES,
  maxPolls: 2,
  maxOthers: 16,
};

/** Janus did not answer, answered something that is not its API, or the call has too much in flight. */
export class JanusRelayError extends Error {
  override readonly name = 'JanusRelayError';
}

interface GroupFlights {
  polls: number;
  others: number;
  readonly controllers: Set<AbortController>;
}

export class JanusRelay {
  /** Read at each request, so a test may tighten them between steps. */
  readonly #tuning: () => Partial<JanusRelayLimits> | undefined;
  readonly #groups = new Map<string, GroupFlights>();

  constructor(tuning: () => Partial<JanusRelayLimits> | undefined = () => undefined) {
    this.#tuning = tuning;
  }

  get #limits(): JanusRelayLimits {
    return { ...DEFAULT_JANUS_RELAY_LIMITS, ...this.#tuning() };
  }

  /** Sends one call to the seat's Janus and hands back its answer, checked as Janus's API. */
  async send(groupId: string, seat: RelaySeat, call: JanusCall): Promise<JanusAnswer> {
    const limits = this.#limits;
    const poll = call.kind === 'poll';
    const flights = this.#groups.get(groupId) ?? { polls: 0, others: 0, controllers: new Set<AbortController>() };
    if (poll ? flights.polls >= limits.maxPolls : flights.others >= limits.maxOthers) {
      throw new JanusRelayError(`too many requests to the meeting server at once (at most ${limits.maxPolls} polls and ${limits.maxOthers} other requests per call)`);
    }
    this.#groups.set(groupId, flights);
    const controller = new AbortController();
    flights.controllers.add(controller);
    if (poll) flights.polls += 1;
    else flights.others += 1;
    const timeoutMs = poll ? limits.pollTimeoutMs : limits.postTimeoutMs;
    const timer = setTimeout(() => {
      controller.abort();
    }, timeoutMs);
    try {
      return await exchange(seat, call, controller.signal, timeoutMs, limits.maxAnswerBytes);
    } finally {
      clearTimeout(timer);
      flights.controllers.delete(controller);
      if (poll) flights.polls -= 1;
      else flights.others -= 1;
      if (flights.controllers.size === 0 && this.#groups.get(groupId) === flights) this.#groups.delete(groupId);
    }
  }

  /** How many requests of the call are out now (tests, diagnostics). */
  inFlight(groupId: string): number {
    return this.#groups.get(groupId)?.controllers.size ?? 0;
  }

  /** The call ended or its seat moved: everything it has in flight fails now. */
  abort(groupId: string): void {
    const flights = this.#groups.get(groupId);
    if (flights === undefined) return;
    for (const controller of flights.controllers) controller.abort();
  }

  /** Every call's requests but this one's (a seat for another call came). */
  abortOthers(groupId: string): void {
    for (const other of [...this.#groups.keys()]) if (other !== groupId) this.abort(other);
  }

  close(): void {
    for (const groupId of [...this.#groups.keys()]) this.abort(groupId);
  }
}

async function exchange(seat: RelaySeat, call: JanusCall, signal: AbortSignal, timeoutMs: number, maxAnswerBytes: number): Promise<JanusAnswer> {
  const request = janusHttpRequest(seat.url, seat.token, call);
  const where = `the meeting server (SFU) at ${request.url.origin}`;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      ...(request.body === undefined ? {} : { body: request.body, headers: { 'content-type': 'application/json' } }),
      // Janus never redirects; a redirect would take the seat's token somewhere else.
      redirect: 'error',
      signal,
    });
  } catch {
    throw new JanusRelayError(signal.aborted ? `${where} did not answer within ${timeoutMs / 1000} s, or the call ended` : `${where} cannot be reached`);
  }
  if (call.kind === 'poll' && response.status === 404) {
    // Janus's HTTP transport answers a long poll on a session it no longer knows (timed out, or
    // Janus restarted) with a bare 404, where a request on it gets the API's error 458. Handed to
    // the page as that error, so it opens a new session instead of polling the dead one for ever.
    await response.body?.cancel().catch(() => undefined);
    return { messages: [JSON.stringify({ janus: 'error', session_id: call.session, error: { code: JANUS_NO_SUCH_SESSION, reason: 'No such session' } })] };
  }
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    await response.body?.cancel().catch(() => undefined);
    throw new JanusRelayError(`${where} answered HTTP ${response.status} with ${type === '' ? 'no content type' : type.slice(0, 60)}, not Janus's JSON`);
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readBoundedBody(response, maxAnswerBytes);
  } catch {
    throw new JanusRelayError(signal.aborted ? `${where} did not finish its answer within ${timeoutMs / 1000} s, or the call ended` : `${where} broke off its answer`);
  }
  if (bytes === undefined) throw new JanusRelayError(`${where} answered more than ${maxAnswerBytes} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new JanusRelayError(`${where} answered something that is not JSON`);
  }
  const answer = janusAnswerOf(raw);
  if (answer === undefined) throw new JanusRelayError(`${where} answered JSON that is not Janus's API`);
  return answer;
}
