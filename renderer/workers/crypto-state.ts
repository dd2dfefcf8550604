import { emptyReport, type CryptoReport } from './frame-crypto-messages';
import type { ReceiveKeys, SendKeys } from './key-ring';

/** Everything the worker holds for the current call. */
export interface CryptoState {
  sendKeys: SendKeys | undefined;
  receiveKeys: ReceiveKeys | undefined;
  report: CryptoReport;
}

export function newCryptoState(): CryptoState {
  return { sendKeys: undefined, receiveKeys: undefined, report: emptyReport() };
}
