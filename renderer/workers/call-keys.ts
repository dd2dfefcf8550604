import { notifyKeysChanged, type CryptoState } from './crypto-state';
import type { WorkerToPage } from './frame-crypto-messages';
import { ReceiveKeys, SendKeys } from './key-ring';

/** Below this the ratchet would spend more on key derivation than it buys. */
const MIN_RATCHET_MS = 500;

export interface CallKeyHooks {
  post(message: WorkerToPage): void;
  /** The sender moved to a new generation: video wants a key frame under it. */
  onSendGeneration(): void;
}

/**
 * Takes the call's two base keys (and ownership of their bytes), derives generation 0 and starts
 * the sender's ratchet. Only the first keys of a call are taken: later ones, and any after the
 * wipe, are zeroed and refused. The claim is made before the first await, so two 'keys' messages
 * that arrive together cannot both pass the check while the first is still deriving; the second
 * would otherwise start a new sender at counter 0 under a key the first may share.
 */
export async function loadCallKeys(state: CryptoState, sendKey: Uint8Array, receiveKey: Uint8Array, ratchetIntervalMs: number, hooks: CallKeyHooks): Promise<void> {
  if (state.keysClaimed || state.report.keysWiped) {
    sendKey.fill(0);
    receiveKey.fill(0);
    const message =
      state.report.mode === 'group' ? '1:1 keys arrived at a worker that serves a group call; they were dropped' : 'keys arrived twice, or after the wipe; they were dropped';
    hooks.post({ type: 'problem', message });
    return;
  }
  state.keysClaimed = true;
  state.report.mode = 'pair';
  const [sendKeys, receiveKeys] = await Promise.all([SendKeys.create(sendKey), ReceiveKeys.create(receiveKey)]);
  // Read afresh: a wipe may have come while the keys were derived.
  if (isWiped(state)) {
    sendKeys.wipe();
    receiveKeys.wipe();
    return;
  }
  state.sendKeys = sendKeys;
  state.receiveKeys = receiveKeys;
  state.report.keysLoaded = true;
  state.ratchetTimer = setInterval(() => {
    sendKeys.advance().then(
      () => {
        state.report.sendGeneration = Number(sendKeys.generation);
        hooks.onSendGeneration();
      },
      () => undefined,
    );
  }, Math.max(MIN_RATCHET_MS, ratchetIntervalMs));
}

/** Zeroes and drops every key of the call, 1:1 or group, and stops the ratchet; no key is taken afterwards. */
export function wipeCallKeys(state: CryptoState): void {
  clearInterval(state.ratchetTimer);
  state.ratchetTimer = undefined;
  state.sendKeys?.wipe();
  state.receiveKeys?.wipe();
  state.sendKeys = undefined;
  state.receiveKeys = undefined;
  state.group?.ring.wipe();
  state.report.sendEpoch = null;
  state.report.epochsHeld = [];
  state.report.keysWiped = true;
  // Frames held for keys still to come never get them now: they are counted and let go.
  if (state.group !== undefined) notifyKeysChanged(state.group);
}

// A function, not the field: the flag changes across awaits, which narrowing would not see.
function isWiped(state: CryptoState): boolean {
  return state.report.keysWiped;
}
