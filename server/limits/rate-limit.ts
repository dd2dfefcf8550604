/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. One per connection, so one noisy client
 * cannot slow anyone else down, while ICE candidates arriving in a burst still pass.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number = performance.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Whether a token is there to take, without taking it. */
  has(now: number = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  /** Whether the bucket is back to its full burst: a bucket in that state can be forgotten. */
  full(now: number = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  /** Takes one token if there is one. */
  take(now: number = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
  }
}
