import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, subprotocolFor, unsupportedVersionError, versionOfSubprotocol } from '../../shared/protocol';
import { clientAddress } from '../limits/client-address';
import type { AcceptDeadlines } from './accept-deadline';
import { Connection, type ConnectionContext } from './connection';
import { CLOSE } from './session';

export const WS_PATH = '/ws';

/** What an app that speaks no version this server does is told (in its own version's envelope). */
export const UPDATE_SEALCALL_MESSAGE = `this Sealcall app is too old or too new for this server, which speaks protocol version ${PROTOCOL_VERSION}: update Sealcall`;

/**
 * Picks the subprotocol to accept (see shared/protocol/version.ts). The server's own version if
 * offered; otherwise the highest Sealcall version offered, so that the handshake completes and
 * the client reads its refusal in its own envelope (a client whose offer is ignored fails the
 * handshake and learns nothing). No Sealcall version offered (every version-1 app): none.
 */
export function chooseSubprotocol(offered: ReadonlySet<string>): string | false {
  const own = subprotocolFor(PROTOCOL_VERSION);
  if (offered.has(own)) return own;
  let best: { name: string; version: number } | undefined;
  for (const name of offered) {
    const version = versionOfSubprotocol(name);
    if (version !== undefined && (best === undefined || version > best.version)) best = { name, version };
  }
  return best?.name ?? false;
}

/**
 * Accepts WebSocket upgrades on /ws, enforces the caps on sockets that have not authenticated yet
 * (server-wide, and per client address), and runs the heartbeat that drops sockets whose peer has
 * silently gone.
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    server: Server,
    private readonly ctx: ConnectionContext,
    private readonly deadlines: AcceptDeadlines,
    private readonly trustedProxies: ReadonlySet<string>,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      // ws cuts anything beyond this itself (close 1009); between the limit and this, the server
      // answers with its own message-too-large error first.
      maxPayload: ctx.limits.maxMessageBytes * 2,
      // Compression next to secrets invites CRIME-style attacks, and costs memory per socket.
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) => chooseSubprotocol(offered),
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => { this.upgrade(request, socket, head); });
  }

  start(): void {
    this.heartbeatTimer = setInterval(() => {
      for (const connection of this.ctx.connections) connection.heartbeat();
    }, this.ctx.limits.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  stop(): void {
    clearInterval(this.heartbeatTimer);
    for (const connection of this.ctx.connections) {
      if (!connection.authenticated) connection.end('shutting-down', 'the server is shutting down', CLOSE.goingAway);
    }
    this.wss.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0];
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const timeLeft = this.deadlines.settle(socket);
    const address = clientAddress(request, this.trustedProxies);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (ws.protocol !== subprotocolFor(PROTOCOL_VERSION)) {
        unsupported(ws, this.ctx);
        return;
      }
      if (this.ctx.counts.unauthenticated >= this.ctx.limits.maxUnauthenticated) {
        busy(ws, this.ctx, 'too many connections are authenticating; try again shortly');
        return;
      }
      const admission = this.ctx.addresses.admit(address);
      if (!admission.ok) {
        busy(ws, this.ctx, admission.message);
        return;
      }
      new Connection(ws, socket, this.ctx, address, timeLeft);
    });
  }
}

/**
 * An app speaking another protocol version: one error it can read (version 1 apps treat it as
 * fatal and show "update Sealcall" instead of retrying), then the socket closes. Counted, and
 * logged within the refusal budget: a fleet of old apps must not flood the log.
 */
function unsupported(ws: WebSocket, ctx: ConnectionContext): void {
  const offered = versionOfSubprotocol(ws.protocol) ?? 1;
  ctx.metrics.rejects.inc({ reason: 'unsupported-version' });
  ctx.refusals.info('protocol version refused', { offeredVersion: offered });
  ws.send(unsupportedVersionError(offered, UPDATE_SEALCALL_MESSAGE));
  ws.close(CLOSE.policy, 'unsupported-version');
  setTimeout(() => { ws.terminate(); }, 1000).unref();
}

/** Said in the protocol's words, so a client can tell "busy" from "broken" and back off. */
function busy(ws: WebSocket, ctx: ConnectionContext, message: string): void {
  ctx.metrics.rejects.inc({ reason: 'server-busy' });
  ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'error', code: 'server-busy', message }));
  ws.close(CLOSE.tryAgainLater, 'server-busy');
  setTimeout(() => { ws.terminate(); }, 1000).unref();
}
