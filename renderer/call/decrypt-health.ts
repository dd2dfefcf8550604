import type { CryptoReport } from '../workers/frame-crypto-messages';

/** How far back the rule looks. */
const WINDOW_MS = 2000;
/** More failures than a switch or a burst of late frames makes. */
const FAILURES = 20;

interface Sample {
  at: number;
  decrypted: number;
  failed: number;
}

/**
 * "Can't decrypt": in the last 2 s, more than 20 received frames failed to authenticate and not
 * one decrypted. A few failures with good frames around them (a switch, a reordered packet) do
 * not count; a wrong key, or a sender on a generation we cannot reach, does.
 */
export class DecryptHealth {
  #samples: Sample[] = [];

  observe(report: CryptoReport, at: number): void {
    this.#samples.push({
      at,
      decrypted: report.decrypted.audio + report.decrypted.video,
      failed: report.failed.audio + report.failed.video,
    });
    // One sample older than the window stays, as the baseline.
    while (this.#samples.length > 2 && (this.#samples[1]?.at ?? at) <= at - WINDOW_MS) this.#samples.shift();
  }

  failing(): boolean {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (first === undefined || last === undefined || last.at - first.at < WINDOW_MS * 0.75) return false;
    return last.failed - first.failed > FAILURES && last.decrypted === first.decrypted;
  }

  reset(): void {
    this.#samples = [];
  }
}
