import type { LogFields, Logger } from './logger';

/**
 * A log line that anyone on the network can cause (a refused login, a wrong enrollment code) is
 * written at most `perInterval` times per interval. The rest are counted, and the count goes out
 * with the next line written, so a flood shows in the log as a number instead of filling the disk.
 */
export class LogBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly perInterval: number,
    private readonly intervalMs = 1000,
  ) {}

  info(msg: string, fields: LogFields, now: number = performance.now()): void {
    if (now - this.windowStart >= this.intervalMs) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written >= this.perInterval) {
      this.suppressed += 1;
      return;
    }
    this.written += 1;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.logger.info(msg, suppressed > 0 ? { ...fields, notLoggedBefore: suppressed } : fields);
  }
}
