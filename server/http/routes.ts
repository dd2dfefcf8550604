import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { Store } from '../store/store';
import { SERVER_VERSION } from '../version';

export interface HttpContext {
  store: Store;
  metrics: ServerMetrics;
  /** False once shutdown began: load balancers should stop sending new clients. */
  accepting: () => boolean;
}

function reply(response: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(head ? undefined : body);
}

/** How long /healthz waits for the store before it reports it unavailable. */
const HEALTH_CHECK_MS = 1_000;

/** GET /healthz and GET /metrics; the WebSocket upgrade on /ws is the gateway's. */
export function handleHttp(ctx: HttpContext, request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0];
  const head = request.method === 'HEAD';
  if (request.method !== 'GET' && !head) {
    response.setHeader('allow', 'GET, HEAD');
    reply(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', head);
    return;
  }
  if (path === '/healthz') {
    // A store that cannot answer (Redis unreachable: its client queues commands until it is back)
    // must read as unavailable at once, or the balancer's check times out instead of failing fast.
    let timer: NodeJS.Timeout | undefined;
    const unanswered = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error('the store did not answer')); }, HEALTH_CHECK_MS);
    });
    void Promise.race([ctx.store.health(), unanswered]).finally(() => { clearTimeout(timer); }).then(
      (database) => {
        const healthy = database.ok && ctx.accepting();
        const body = {
          status: healthy ? 'ok' : database.ok ? 'shutting-down' : 'error',
          version: SERVER_VERSION,
          protocol: PROTOCOL_VERSION,
          database: database.ok ? { status: 'ok', store: ctx.store.kind, schemaVersion: database.schemaVersion } : { status: 'unavailable', store: ctx.store.kind },
        };
        reply(response, healthy ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`, head);
      },
      () => { reply(response, 503, 'application/json', `${JSON.stringify({ status: 'error', version: SERVER_VERSION, protocol: PROTOCOL_VERSION, database: { status: 'unavailable', store: ctx.store.kind } })}\n`, head); },
    );
    return;
  }
  if (path === '/metrics') {
    reply(response, 200, 'text/plain; version=0.0.4; charset=utf-8', ctx.metrics.registry.render(), head);
    return;
  }
  if (path === '/ws') {
    reply(response, 426, 'text/plain; charset=utf-8', 'this endpoint speaks WebSocket\n', head);
    return;
  }
  reply(response, 404, 'text/plain; charset=utf-8', 'not found\n', head);
}
