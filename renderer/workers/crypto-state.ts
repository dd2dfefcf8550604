import { emptyReport, type CryptoReport } from './frame-crypto-messages';
import { FrameTimings } from './frame-timings';
import type { ReceiveKeys, SendKeys } from './key-ring';

/** Everything the worker holds for the current call. */
export interface CryptoState {
  sendKeys: SendKeys | undefined;
  receiveKeys: ReceiveKeys | undefined;
  report: CryptoReport;
  /** Per-frame costs, sampled only while a benchmark asks for them. */
  timings: FrameTimings;
}

export function newCryptoState(): CryptoState {
  return { sendKeys: undefined, receiveKeys: undefined, report: emptyReport(), timings: new FrameTimings() };
}
