import type { JanusTransport } from '../../renderer/call/sfu/janus-transport';
import { janusAnswerOf, janusHttpRequest } from '../../shared/janus-http';

/*
 * The proof page's way to Janus (e2e/sfu-janus.harness.spec.ts): straight from the page over HTTP,
 * through its static server's /janus forward, with the seat's token. The app never does this: its
 * page reaches Janus only through the core (renderer/call/sfu/janus-transport.ts).
 */

/** Janus answers a long poll empty after 30 s. */
const POLL_TIMEOUT_MS = 40_000;
const POST_TIMEOUT_MS = 30_000;

export function fetchJanusTransport(url: string, token: string): JanusTransport {
  return {
    async send(call) {
      const request = janusHttpRequest(url, token, call);
      const response = await fetch(request.url, {
        method: request.method,
        ...(request.body === undefined ? {} : { body: request.body, headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(call.kind === 'poll' ? POLL_TIMEOUT_MS : POST_TIMEOUT_MS),
      });
      const answer = janusAnswerOf(await response.json());
      if (answer === undefined) throw new Error('Janus answered something that is not the Janus API');
      return answer;
    },
  };
}
