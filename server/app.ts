import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSodium } from '../shared/crypto/sodium';
import type { ClusterNode } from './cluster/cluster-node';
import { checkPublicUrl, defaultPublicUrl, isLoopbackHost } from './config/public-url';
import type { ServerConfig } from './config/server-config';
import { handleHttp } from './http/routes';
import { errorOrigin } from './log/error-origin';
import { Hub } from './hub';
import { AddressGuard } from './limits/address-guard';
import { LogBudget } from './log/log-budget';
import type { Logger } from './log/logger';
import { createServerMetrics } from './metrics/server-metrics';
import { openStore } from './store/open-store';
import { checkRedisUrl } from './store/redis-url';
import type { Connection, ConnectionContext } from './ws/connection';
import { AcceptDeadlines } from './ws/accept-deadline';
import { Gateway, WS_PATH } from './ws/gateway';

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Where /healthz and /metrics answer. */
  httpUrl: string;
  /** The URL clients connect to and sign. */
  publicUrl: string;
  /** Tells clients, drains, flushes and closes the database. Safe to call twice. */
  close(): Promise<void>;
  /** Writes pending last-seen times now: the last thing done before the process dies of a fault. */
  flushLastSeen(): void;
}

/** How often Node checks its own HTTP header and request timeouts (its default is 30 s). */
const HTTP_TIMEOUT_CHECK_MS = 500;
const DRAIN_MS = 1500;
const PRESENCE_FLUSH_MS = 250;
/** Refused logins and enrollments anyone can cause: this many log lines a second, then a count. */
const REFUSALS_LOGGED_PER_SECOND = 10;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Checks the configuration, opens the store (SQLite, or Redis with --redis), and starts serving. */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const configuredUrl = config.publicUrl === undefined ? undefined : checkPublicUrl(config.publicUrl);
  if (configuredUrl === undefined && !isLoopbackHost(config.host)) {
    throw new Error(
      `listening on ${config.host} needs --public-url wss://<your-host>${WS_PATH}: the default ws:// URL is only for loopback`,
    );
  }
  await loadSodium();
  const store = await openStore(config, (error) => { logger.warn('Redis connection error; reconnecting', { error }); });
  const { limits } = config;
  const counts = { unauthenticated: 0 };
  const connections = new Set<Connection>();
  // The gauges read the hub only at scrape time, after it exists.
  const metrics = createServerMetrics(
    () => ({ unauthenticated: counts.unauthenticated, authenticated: hub.sessionCount }),
    () => hub.relay.activeCalls,
  );
  let cluster: ClusterNode | undefined;
  if (config.cluster) {
    try {
      // Loaded only in cluster mode, like the Redis store: every other verb starts without the Redis client.
      const { ClusterNode } = await import('./cluster/cluster-node');
      cluster = await ClusterNode.join({ url: config.cluster.redisUrl, inviteTimeoutMs: limits.inviteTimeoutMs, graceMs: limits.callGraceMs, heartbeatTtlMs: config.cluster.instanceTtlMs, logger });
    } catch (error) {
      await store.close();
      throw new Error(`cannot join the cluster through Redis at ${checkRedisUrl(config.cluster.redisUrl).shown}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    logger.info('joined the cluster', { instanceId: cluster.instanceId });
  }
  const hub = new Hub({ store, readDirectory: (after) => store.directoryChangesAfter(after), logger, metrics, turn: config.turn, sfu: config.sfu, inviteTimeoutMs: limits.inviteTimeoutMs, callGraceMs: limits.callGraceMs, maxConnections: limits.maxConnections, presenceFlushMs: PRESENCE_FLUSH_MS, cluster });
  let accepting = true;
  const trustedProxies = new Set(config.trustedProxies);
  const deadlines = new AcceptDeadlines(limits.authTimeoutMs, limits.maxUnauthenticatedPerAddress, trustedProxies);
  const server = createServer({ connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS }, (request, response) => {
    deadlines.settle(request.socket);
    handleHttp({ store, metrics, accepting: () => accepting }, request, response);
  });
  server.on('connection', (socket) => { deadlines.watch(socket); });
  // Slow-loris defence for later requests on a kept-alive socket; upgraded sockets are the gateway's.
  server.headersTimeout = limits.authTimeoutMs;
  server.requestTimeout = limits.authTimeoutMs;

  let port: number;
  let stopWatching: () => void = () => {};
  try {
    // Watch first: a revocation between the two is then both read and delivered, never neither.
    stopWatching = await store.watchRevocations((event) => {
      hub.revoke(event.userId).catch((error: unknown) => {
        logger.error('could not apply a revocation', { userId: event.userId, ...errorOrigin(error) });
      });
    }, limits.revocationPollMs);
    await hub.refreshDirectory();
    port = await listen(server, config.port, config.host);
  } catch (error) {
    stopWatching();
    await cluster?.leave();
    await store.close();
    throw error;
  }
  const publicUrl = configuredUrl ?? defaultPublicUrl(config.host, port);
  await store.writeSetting('public_url', publicUrl);
  const ctx: ConnectionContext = {
    store,
    hub,
    limits,
    logger,
    metrics,
    serverUrl: publicUrl,
    counts,
    connections,
    addresses: new AddressGuard(limits),
    refusals: new LogBudget(logger, REFUSALS_LOGGED_PER_SECOND),
  };
  const gateway = new Gateway(server, ctx, deadlines, trustedProxies);
  gateway.start();
  // One small transaction every few seconds, not an fsync per login; everyone connected, now and then.
  const refreshEvery = Math.max(1, Math.round(limits.lastSeenRefreshMs / limits.lastSeenFlushMs));
  let flushes = 0;
  const lastSeenTimer = setInterval(() => {
    flushes += 1;
    hub.flushLastSeen(flushes % refreshEvery === 0);
  }, limits.lastSeenFlushMs);
  lastSeenTimer.unref();
  if (!isLoopbackHost(config.host)) {
    logger.warn('serving plain HTTP on a non-loopback address: make sure only the TLS proxy can reach it', { host: config.host });
  }
  if (publicUrl.startsWith('wss:') && config.trustedProxies.length === 0) {
    logger.warn('no --trusted-proxy: behind a proxy, every client has its address, and per-address limits count them all as one', {});
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      accepting = false;
      stopWatching();
      clearInterval(lastSeenTimer);
      server.close();
      hub.shutdown();
      gateway.stop();
      const deadline = Date.now() + DRAIN_MS;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const connection of connections) connection.terminate();
      server.closeAllConnections();
      await cluster?.leave();
      await store.close();
      logger.info('server stopped');
    })());

  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const flushLastSeen = () => {
    if (closing === undefined) hub.flushLastSeen(true);
  };
  return { port, httpUrl: `http://${host}:${port}`, publicUrl, close, flushLastSeen };
}
