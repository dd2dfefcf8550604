import { TokenBucket } from './rate-limit';

/** Above this many remembered keys, buckets that have refilled completely are forgotten. */
const PRUNE_ABOVE = 10_000;

/**
 * One token bucket per key (a client address), created on first use. A full bucket says nothing a
 * fresh one would not, so full buckets are dropped once many are remembered: the map cannot be
 * grown without bound by a client that rotates through addresses.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  take(key: string, now: number = performance.now()): boolean {
    return this.bucket(key, now).take(now);
  }

  has(key: string, now: number = performance.now()): boolean {
    return this.buckets.get(key)?.has(now) ?? true;
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucket(key: string, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.prune(now);
      bucket = new TokenBucket(this.perSecond, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private prune(now: number): void {
    // At most once a second, so an address flood costs one sweep a second, not one per socket.
    if (this.buckets.size < PRUNE_ABOVE || now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const [key, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(key);
  }
}
