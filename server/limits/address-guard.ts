import { KeyedBuckets } from './keyed-buckets';
import { TokenBucket } from './rate-limit';

export interface AddressLimits {
  /** Sockets one address may have waiting to authenticate. */
  maxUnauthenticatedPerAddress: number;
  /** New WebSocket connections per second one address may open, sustained... */
  connectRatePerAddress: number;
  /** ...and in a burst. */
  connectBurstPerAddress: number;
  /** Failed enrollments one address may make per hour (also the burst). */
  enrollFailuresPerAddress: number;
  /** Failed enrollments per hour across the server, from all addresses together (also the burst). */
  enrollFailures: number;
}

export type Admission = { ok: true } | { ok: false; message: string };

const PER_HOUR = 1 / 3600;

/**
 * What each client address may do before it has authenticated: how many sockets it may hold
 * waiting, how fast it may open them, and how many enrollment codes it may get wrong. One address
 * at its limit is refused; everyone else is not, so the server-wide caps stay for a crowd of
 * addresses and can no longer be filled from one.
 */
export class AddressGuard {
  private readonly waiting = new Map<string, number>();
  private readonly connects: KeyedBuckets;
  private readonly enrollsByAddress: KeyedBuckets;
  private readonly enrolls: TokenBucket;

  constructor(private readonly limits: AddressLimits) {
    this.connects = new KeyedBuckets(limits.connectRatePerAddress, limits.connectBurstPerAddress);
    this.enrollsByAddress = new KeyedBuckets(limits.enrollFailuresPerAddress * PER_HOUR, limits.enrollFailuresPerAddress);
    this.enrolls = new TokenBucket(limits.enrollFailures * PER_HOUR, limits.enrollFailures);
  }

  /** A new socket from `address`: admitted (and counted as waiting), or refused with a reason. */
  admit(address: string): Admission {
    if (!this.connects.take(address)) {
      return { ok: false, message: `too many new connections from your address; at most ${this.limits.connectRatePerAddress} a second` };
    }
    const waiting = this.waiting.get(address) ?? 0;
    if (waiting >= this.limits.maxUnauthenticatedPerAddress) {
      return { ok: false, message: 'too many connections from your address are authenticating; try again shortly' };
    }
    this.waiting.set(address, waiting + 1);
    return { ok: true };
  }

  /** An admitted socket authenticated or closed: it no longer counts as waiting. Call once per admission. */
  settled(address: string): void {
    const waiting = (this.waiting.get(address) ?? 0) - 1;
    if (waiting > 0) this.waiting.set(address, waiting);
    else this.waiting.delete(address);
  }

  /** Whether `address` may try an enrollment code now. Costs nothing: checked before any hashing or database work. */
  mayEnroll(address: string): boolean {
    return this.enrolls.has() && this.enrollsByAddress.has(address);
  }

  /** An enrollment from `address` failed: it spends one attempt there and one server-wide. */
  enrollFailed(address: string): void {
    this.enrollsByAddress.take(address);
    this.enrolls.take();
  }

  /** Addresses with sockets waiting right now (for tests and metrics). */
  waitingAt(address: string): number {
    return this.waiting.get(address) ?? 0;
  }
}
