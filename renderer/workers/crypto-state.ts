import { emptyReport, type CryptoReport } from './frame-crypto-messages';
import { FrameTimings } from './frame-timings';
import type { ReceiveKeys, SendKeys } from './key-ring';

/** Everything the worker holds for the current call. */
export interface CryptoState {
  sendKeys: SendKeys | undefined;
  receiveKeys: ReceiveKeys | undefined;
  /** Set as soon as the first keys arrive, before they are derived: a call takes one set of keys. */
  keysClaimed: boolean;
  /** Moves the sender to its next generation. */
  ratchetTimer: ReturnType<typeof setInterval> | undefined;
  report: CryptoReport;
  /** Per-frame costs, sampled only while a benchmark asks for them. */
  timings: FrameTimings;
}

export function newCryptoState(): CryptoState {
  return { sendKeys: undefined, receiveKeys: undefined, keysClaimed: false, ratchetTimer: undefined, report: emptyReport(), timings: new FrameTimings() };
}
