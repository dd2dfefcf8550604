import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { Connection, type ConnectionContext } from './connection';
import { CLOSE } from './session';

export const WS_PATH = '/ws';

/**
 * Accepts WebSocket upgrades on /ws, enforces the cap on sockets that have not authenticated yet,
 * and runs the heartbeat that drops sockets whose peer has silently gone.
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    server: Server,
    private readonly ctx: ConnectionContext,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      // ws cuts anything beyond this itself (close 1009); between the limit and this, the server
      // answers with its own message-too-large error first.
      maxPayload: ctx.limits.maxMessageBytes * 2,
      // Compression next to secrets invites CRIME-style attacks, and costs memory per socket.
      perMessageDeflate: false,
      clientTracking: false,
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
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (this.ctx.counts.unauthenticated >= this.ctx.limits.maxUnauthenticated) {
        // Said in the protocol's words, so a client can tell "busy" from "broken" and back off.
        this.ctx.metrics.rejects.inc({ reason: 'server-busy' });
        ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'error', code: 'server-busy', message: 'too many connections are authenticating; try again shortly' }));
        ws.close(CLOSE.tryAgainLater, 'server-busy');
        setTimeout(() => { ws.terminate(); }, 1000).unref();
        return;
      }
      new Connection(ws, socket, this.ctx);
    });
  }
}
