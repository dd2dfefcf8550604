import { describe, expect, it } from 'vitest';
import { decryptMediaFrame, encryptMediaFrame } from '../../shared/crypto/media-frame';
import { loadCallKeys, wipeCallKeys, type CallKeyHooks } from './call-keys';
import { newCryptoState } from './crypto-state';
import type { WorkerToPage } from './frame-crypto-messages';
import { ReceiveKeys } from './key-ring';

const key = (fill: number) => new Uint8Array(32).fill(fill);
const opusFrame = Uint8Array.from({ length: 40 }, (_, i) => i);

function recordingHooks(): CallKeyHooks & { posted: WorkerToPage[] } {
  const posted: WorkerToPage[] = [];
  return { posted, post: (message) => void posted.push(message), onSendGeneration: () => undefined };
}

/** Whether frames from `state`'s sender open under a receiver keyed with `receiveKey`. */
async function sendsUnder(state: ReturnType<typeof newCryptoState>, receiveKey: Uint8Array): Promise<boolean> {
  const sender = state.sendKeys?.sender;
  if (sender === undefined) throw new Error('no send keys loaded');
  const receiving = await ReceiveKeys.create(receiveKey);
  try {
    decryptMediaFrame((kid) => receiving.receiverFor(kid), 'opus', encryptMediaFrame(sender, 'opus', opusFrame));
    return true;
  } catch {
    return false;
  } finally {
    receiving.wipe();
  }
}

describe('loadCallKeys', () => {
  it('takes the first keys of a call even when a second set arrives while the first is being derived', async () => {
    const state = newCryptoState();
    const hooks = recordingHooks();
    const secondSend = key(2);
    const secondReceive = key(2);
    // Both start before either has awaited anything, as two 'keys' messages handled back to back.
    const first = loadCallKeys(state, key(1), key(1), 60_000, hooks);
    const second = loadCallKeys(state, secondSend, secondReceive, 60_000, hooks);
    await Promise.all([first, second]);
    try {
      expect(hooks.posted).toEqual([{ type: 'problem', message: 'keys arrived twice, or after the wipe; they were dropped' }]);
      expect(secondSend.every((byte) => byte === 0) && secondReceive.every((byte) => byte === 0)).toBe(true);
      expect(state.report.keysLoaded).toBe(true);
      expect(await sendsUnder(state, key(1))).toBe(true);
    } finally {
      wipeCallKeys(state);
    }
  });

  it('refuses keys after the wipe, and drops keys whose derivation the wipe overtook', async () => {
    const state = newCryptoState();
    const hooks = recordingHooks();
    const loading = loadCallKeys(state, key(1), key(1), 60_000, hooks);
    wipeCallKeys(state);
    await loading;
    expect(state.sendKeys).toBeUndefined();
    expect(state.receiveKeys).toBeUndefined();
    expect(state.ratchetTimer).toBeUndefined();
    const late = key(3);
    await loadCallKeys(state, late, key(3), 60_000, hooks);
    expect(late.every((byte) => byte === 0)).toBe(true);
    expect(state.sendKeys).toBeUndefined();
    expect(hooks.posted.map((message) => message.type)).toEqual(['problem']);
  });
});
