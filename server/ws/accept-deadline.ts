import type { Duplex } from 'node:stream';

/**
 * A socket has the auth timeout, counted from the moment it was accepted, to authenticate. Most of
 * that is the WebSocket challenge (the connection's own timer), but a client can spend it before
 * the upgrade too, saying nothing or dripping its headers a byte at a time. Node's own HTTP
 * timeouts are only checked every so often and never fire for a socket that sent nothing, so
 * this deadline is kept here, per socket, until the socket reaches a request or an upgrade.
 */
export class AcceptDeadlines {
  private readonly pending = new WeakMap<Duplex, { at: number; timer: NodeJS.Timeout }>();

  constructor(private readonly ms: number) {}

  /** A TCP connection was accepted: it is destroyed at the deadline unless settled first. */
  watch(socket: Duplex): void {
    const timer = setTimeout(() => socket.destroy(), this.ms);
    timer.unref();
    socket.once('close', () => { clearTimeout(timer); });
    this.pending.set(socket, { at: performance.now(), timer });
  }

  /** The socket sent a whole request or upgrade: stop its timer, and return what is left of its time. */
  settle(socket: Duplex): number {
    const entry = this.pending.get(socket);
    if (entry === undefined) return this.ms;
    clearTimeout(entry.timer);
    this.pending.delete(socket);
    return Math.max(0, this.ms - (performance.now() - entry.at));
  }
}
