import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from 'better-sqlite3';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { schemaVersion } from '../db/migrations';
import type { ServerMetrics } from '../metrics/server-metrics';
import { SERVER_VERSION } from '../version';

export interface HttpContext {
  db: Database;
  metrics: ServerMetrics;
  /** False once shutdown began: load balancers should stop sending new clients. */
  accepting: () => boolean;
  /** Cluster mode: whether Redis answers. An instance without it can route nothing, so it reports unhealthy. */
  redisReady?: () => boolean;
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

function databaseStatus(db: Database): { ok: boolean; schemaVersion?: number } {
  try {
    return { ok: true, schemaVersion: schemaVersion(db) };
  } catch {
    return { ok: false };
  }
}

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
    const database = databaseStatus(ctx.db);
    const redis = ctx.redisReady?.();
    const healthy = database.ok && redis !== false && ctx.accepting();
    const body = {
      status: healthy ? 'ok' : database.ok && redis !== false ? 'shutting-down' : 'error',
      version: SERVER_VERSION,
      protocol: PROTOCOL_VERSION,
      database: database.ok ? { status: 'ok', schemaVersion: database.schemaVersion } : { status: 'unavailable' },
      ...(redis === undefined ? {} : { redis: { status: redis ? 'ok' : 'unavailable' } }),
    };
    reply(response, healthy ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`, head);
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
