import { z } from 'zod';
import { MAX_JANUS_EVENTS_PER_POLL, type JanusAnswer, type JanusCall } from './ipc';

/*
 * How one JanusCall (shared/ipc.ts) maps onto Janus's HTTP API (docs/protocol.md, "Reaching Janus
 * from the app"), for whoever sends it: the core, to the seat it issued, and the SFU proof page
 * of the e2e tests. The ids are checked integers and become whole path segments, so a call can
 * only ever name Janus's own session and handle endpoints under the seat's URL.
 */

export interface JanusHttpRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  /** The JSON body of a POST. */
  readonly body: string | undefined;
}

/** The one plugin a Sealcall page talks to. */
const PLUGIN = 'janus.plugin.videoroom';

export function janusHttpRequest(seatUrl: string, token: string, call: JanusCall): JanusHttpRequest {
  const post = (segments: readonly number[], message: Record<string, unknown>): JanusHttpRequest => ({
    url: under(seatUrl, segments),
    method: 'POST',
    body: JSON.stringify({ ...message, token }),
  });
  switch (call.kind) {
    case 'create':
      return post([], { janus: 'create', transaction: call.transaction });
    case 'attach':
      return post([call.session], { janus: 'attach', plugin: PLUGIN, transaction: call.transaction });
    case 'keepalive':
      return post([call.session], { janus: 'keepalive', transaction: call.transaction });
    case 'destroy':
      return post([call.session], { janus: 'destroy', transaction: call.transaction });
    case 'message':
      return post([call.session, call.handle], { janus: 'message', transaction: call.transaction, body: call.body, ...(call.jsep === undefined ? {} : { jsep: call.jsep }) });
    case 'detach':
      return post([call.session, call.handle], { janus: 'detach', transaction: call.transaction });
    case 'poll': {
      const url = under(seatUrl, [call.session]);
      url.searchParams.set('maxev', String(MAX_JANUS_EVENTS_PER_POLL));
      url.searchParams.set('token', token);
      return { url, method: 'GET', body: undefined };
    }
  }
}

/** What every message of Janus's API is at least; the page checks the rest. */
const janusMessageSchema = z.looseObject({ janus: z.string().max(40) });

/**
 * Janus answers a request with one message and a poll with a list of at most 10; undefined when
 * the parsed JSON is neither.
 */
export function janusAnswerOf(raw: unknown): JanusAnswer | undefined {
  const messages = Array.isArray(raw) ? raw : [raw];
  if (messages.length > MAX_JANUS_EVENTS_PER_POLL) return undefined;
  if (!messages.every((message) => janusMessageSchema.safeParse(message).success)) return undefined;
  return { messages: messages.map((message) => JSON.stringify(message)) };
}

/** The messages of an answer, parsed again; one that is not JSON is left out. */
export function janusMessagesOf(answer: JanusAnswer): unknown[] {
  return answer.messages.flatMap((text) => {
    try {
      return [JSON.parse(text) as unknown];
    } catch {
      return [];
    }
  });
}

function under(seatUrl: string, segments: readonly number[]): URL {
  const url = new URL(seatUrl);
  const base = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  url.pathname = [base, ...segments.map(String)].join('/');
  return url;
}
