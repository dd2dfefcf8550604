/**
 * A TCP load balancer on loopback for the cluster benchmark, standing in for IT's nginx or
 * HAProxy: each new connection goes to a live backend (the first of the list that accepts, or
 * round robin), skipping dead ones; a connection whose backend dies is cut, as a real balancer
 * cuts it, and the client reconnects through the balancer to a survivor.
 */
import net from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

export class TcpBalancer {
  private readonly server = net.createServer((client) => { this.route(client); });
  private readonly open = new Set<net.Socket>();
  private next = 0;
  backends: Backend[] = [];

  /** 'first-live' sends everyone to the first backend that accepts; 'round-robin' spreads them. */
  constructor(private readonly mode: 'first-live' | 'round-robin') {}

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        if (address === null || typeof address === 'string') reject(new Error('balancer has no port'));
        else resolve(address.port);
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    return new Promise((resolve) => this.server.close(() => { resolve(); }));
  }

  private route(client: net.Socket): void {
    client.pause();
    this.open.add(client);
    client.on('close', () => this.open.delete(client));
    client.on('error', () => client.destroy());
    const start = this.mode === 'round-robin' ? this.next++ : 0;
    const tryBackend = (attempt: number) => {
      const backend = this.backends[(start + attempt) % Math.max(1, this.backends.length)];
      if (backend === undefined || attempt >= this.backends.length) {
        client.destroy();
        return;
      }
      const upstream = net.connect(backend.port, backend.host);
      upstream.setNoDelay(true);
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        client.setNoDelay(true);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (!connected) tryBackend(attempt + 1);
        else client.destroy();
      });
      upstream.on('close', () => {
        if (connected) client.destroy();
      });
      client.on('close', () => upstream.destroy());
    };
    tryBackend(0);
  }
}
