import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { addressKey, canonicalIp } from '../limits/client-address';

interface Pending {
  at: number;
  timer: NodeJS.Timeout;
  /** The address the socket counts against, or undefined for a trusted proxy's. */
  address: string | undefined;
}

/**
 * The stretch of a socket's life before it has sent a whole request or upgrade.
 *
 * Time: a socket has the auth timeout, counted from the moment it was accepted, to authenticate.
 * Most of that is the WebSocket challenge (the connection's own timer), but a client can spend it
 * before the upgrade too, saying nothing or dripping its headers a byte at a time. Node's own HTTP
 * timeouts are only checked every so often and never fire for a socket that sent nothing, so the
 * deadline is kept here, per socket.
 *
 * Count: one address may hold only so many such sockets, so it cannot take every file descriptor
 * before it has even asked for anything. A trusted proxy's sockets are not counted here: the
 * client behind it is only known from the request, and is counted at the upgrade.
 */
export class AcceptDeadlines {
  private readonly pending = new WeakMap<Duplex, Pending>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly ms: number,
    private readonly maxPerAddress: number,
    private readonly trustedProxies: ReadonlySet<string>,
  ) {}

  /** A TCP connection was accepted: destroyed at once if its address has too many waiting, else at the deadline unless settled first. */
  watch(socket: Socket): void {
    const peer = canonicalIp(socket.remoteAddress ?? 'unknown');
    const address = this.trustedProxies.has(peer) ? undefined : addressKey(peer);
    if (address !== undefined) {
      const count = this.perAddress.get(address) ?? 0;
      if (count >= this.maxPerAddress) {
        socket.destroy();
        return;
      }
      this.perAddress.set(address, count + 1);
    }
    const timer = setTimeout(() => socket.destroy(), this.ms);
    timer.unref();
    socket.once('close', () => { this.release(socket); });
    this.pending.set(socket, { at: performance.now(), timer, address });
  }

  /** The socket sent a whole request or upgrade: stop its timer, and return what is left of its time. */
  settle(socket: Duplex): number {
    const entry = this.release(socket);
    return entry === undefined ? this.ms : Math.max(0, this.ms - (performance.now() - entry.at));
  }

  private release(socket: Duplex): Pending | undefined {
    const entry = this.pending.get(socket);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.pending.delete(socket);
    if (entry.address !== undefined) {
      const count = (this.perAddress.get(entry.address) ?? 1) - 1;
      if (count > 0) this.perAddress.set(entry.address, count);
      else this.perAddress.delete(entry.address);
    }
    return entry;
  }
}
