/**
 * The floor for the relay benchmark: a bare `ws` relay with no authentication, no schema and no
 * call state. A client registers with {"register": id}; any other message is forwarded as-is to the
 * socket registered under its `to`. Prints its port on stdout. Loopback only.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const sockets = new Map<string, WebSocket>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { register?: string; to?: string };
    if (message.register !== undefined) sockets.set(message.register, ws);
    else if (message.to !== undefined) sockets.get(message.to)?.send(data, { binary: false });
  });
});
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`bare relay listening on ${address !== null && typeof address === 'object' ? String(address.port) : 'unknown'}\n`);
});
process.on('SIGTERM', () => {
  wss.close();
  process.exit(0);
});
