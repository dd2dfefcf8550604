import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/*
 * A TCP load balancer for tests and benchmarks, standing in for IT's nginx or HAProxy
 * (docs/deployment.md): it spreads new connections over its backends in turn (or sends each to the
 * first that accepts, so a benchmark can put everyone on one instance) and skips one that refuses the connection
 * (a dead instance), so a client that reconnects after its instance died lands on a live one.
 * Bytes pass through untouched; when either side closes, so does the other, as a real balancer
 * does when a backend dies.
 */

export type BalancerMode = 'round-robin' | 'first-live';

export class TcpBalancer {
  private next = 0;
  private readonly open = new Map<number, Set<Socket>>();

  private constructor(
    private readonly server: Server,
    private backends: readonly number[],
    private readonly mode: BalancerMode,
  ) {}

  /** Listens on loopback at `port` (0 picks one) in front of the backends' ports. */
  static async start(backends: readonly number[], port = 0, mode: BalancerMode = 'round-robin'): Promise<TcpBalancer> {
    const server = createServer();
    const balancer = new TcpBalancer(server, backends, mode);
    server.on('connection', (client) => { balancer.route(client); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { resolve(); });
    });
    return balancer;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Where new connections go from now on; open ones stay where they are. */
  setBackends(backends: readonly number[]): void {
    this.backends = backends;
  }

  /** Connections open now through each backend (port → count). */
  openConnections(): Map<number, number> {
    return new Map(this.backends.map((backend) => [backend, this.open.get(backend)?.size ?? 0]));
  }

  async close(): Promise<void> {
    for (const sockets of this.open.values()) for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
  }

  private route(client: Socket): void {
    client.pause();
    client.on('error', () => undefined);
    const start = this.mode === 'first-live' ? 0 : this.next;
    this.next = (this.next + 1) % Math.max(1, this.backends.length);
    this.tryBackend(client, start, 0);
  }

  private tryBackend(client: Socket, index: number, tried: number): void {
    if (tried >= this.backends.length || client.destroyed) {
      client.destroy();
      return;
    }
    const port = this.backends[index % this.backends.length] ?? 0;
    const upstream = connect({ port, host: '127.0.0.1' });
    let connected = false;
    upstream.once('error', () => {
      // Refused: that backend is dead. An error after connecting ends both sides through 'close'.
      if (!connected) this.tryBackend(client, index + 1, tried + 1);
    });
    upstream.once('connect', () => {
      connected = true;
      const sockets = this.open.get(port) ?? new Set<Socket>();
      this.open.set(port, sockets);
      sockets.add(upstream);
      upstream.on('error', () => undefined);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
