import { emptyReport, type CryptoReport } from './frame-crypto-messages';
import { FrameTimings } from './frame-timings';
import type { GroupKeyRing } from './group-key-ring';
import type { ReceiveKeys, SendKeys } from './key-ring';
import type { SenderCounts } from './sender-counts';

/** A group call's keys and what the worker has seen of each sender. */
export interface GroupState {
  readonly ring: GroupKeyRing;
  readonly senders: SenderCounts;
  /** Called once an epoch's keys are in (and the report's senders with them), and after the wipe: receivers holding frames for keys not yet here. */
  readonly keysChanged: Set<() => void>;
}

/** Everything the worker holds for the current call: a 1:1 call's keys or a group call's, never both. */
export interface CryptoState {
  sendKeys: SendKeys | undefined;
  receiveKeys: ReceiveKeys | undefined;
  /** Set as soon as the first keys arrive, before they are derived: a call takes one set of keys. */
  keysClaimed: boolean;
  /** Moves the sender to its next generation. */
  ratchetTimer: ReturnType<typeof setInterval> | undefined;
  /** Set by the first 'group-keys' message; a worker in this mode never takes 1:1 keys. */
  group: GroupState | undefined;
  report: CryptoReport;
  /** Per-frame costs, sampled only while a benchmark asks for them. */
  timings: FrameTimings;
  /** SFU receiver slots and the member each carries now (see TransformOptions.slot). */
  slots: Map<string, string | null>;
}

export function newCryptoState(): CryptoState {
  return {
    sendKeys: undefined,
    receiveKeys: undefined,
    keysClaimed: false,
    ratchetTimer: undefined,
    group: undefined,
    report: emptyReport(),
    timings: new FrameTimings(),
    slots: new Map(),
  };
}

/** Lets the receivers that hold frames look again; a listener's fault stays its own. */
export function notifyKeysChanged(group: GroupState): void {
  for (const listener of [...group.keysChanged]) {
    try {
      listener();
    } catch {
      // A receiver's release failing must not keep the keys from the others.
    }
  }
}
