import { describe, expect, it } from 'vitest';
import { wipeCallKeys, type CallKeyHooks } from './call-keys';
import { newCryptoState, type CryptoState } from './crypto-state';
import { frameProcessor, type FrameProcessor } from './frame-pipeline';
import type { MediaKind } from './frame-crypto-messages';
import { loadGroupKeys } from './group-call-keys';
import { baseKey, frameOf, message, opusFrame, vp8Frame, type FakeFrame } from './group-frames.fixture';
import type { HoldLimits } from './held-frames';
import { manualScheduler } from './manual-scheduler.fixture';

/*
 * Frames whose epoch is ahead of the receiver's keys (its core applied the commit later than the
 * sender's did) wait for those keys; frames of an epoch already dropped are stale. Neither is a
 * failure, and holding a frame never opens it.
 */

const bytesOf = (frame: FakeFrame): number[] => [...new Uint8Array(frame.data)];
const quiet: CallKeyHooks = { post: () => undefined, onSendGeneration: () => undefined };

async function member(epoch: number, ownIndex: number, members: readonly number[], scheduler = manualScheduler(), key = baseKey(epoch)): Promise<CryptoState> {
  const state = newCryptoState();
  await loadGroupKeys(state, message(epoch, ownIndex, members, key), quiet, { schedule: scheduler.schedule });
  return state;
}

function sent(state: CryptoState, kind: MediaKind, fill: number): FakeFrame {
  const frame = frameOf(kind, fill);
  expect(frameProcessor(state, kind, 'send')(frame)).toBe(true);
  return frame;
}

/** A receive transform of `state` whose later passes land in `forwarded`, on a clock the test moves. */
function receiver(state: CryptoState, kind: MediaKind, limits?: HoldLimits): { receive: (frame: FakeFrame) => boolean; forwarded: FakeFrame[]; clock: { now: number } } {
  const clock = { now: 0 };
  const forwarded: FakeFrame[] = [];
  const process: FrameProcessor = frameProcessor(state, kind, 'receive', { now: () => clock.now, ...(limits === undefined ? {} : { holdLimits: limits }) });
  return {
    receive: (frame) =>
      process(frame, (chunk) => {
        forwarded.push(chunk as FakeFrame);
      }),
    forwarded,
    clock,
  };
}

const none = { audio: 0, video: 0 };

describe('group frames ahead of their keys', () => {
  it('holds frames of an epoch not keyed yet, then opens and passes them on in order when its keys arrive', async () => {
    const alice = await member(1, 0, [0, 1, 2]);
    const bob = await member(1, 1, [0, 1, 2]);
    try {
      // Alice's core has applied the commit to epoch 2; Bob's not yet.
      await loadGroupKeys(alice, message(2, 0, [0, 1, 2]), quiet);
      const { receive, forwarded } = receiver(bob, 'video');
      const frames = [1, 2, 3].map((fill) => sent(alice, 'video', fill));
      const wire = frames.map(bytesOf);
      for (const frame of frames) expect(receive(frame)).toBe(false);
      expect(forwarded).toEqual([]);
      // Held, not opened: still ciphertext, and counted nowhere yet.
      expect(frames.map(bytesOf)).toEqual(wire);
      expect(bob.report).toMatchObject({ decrypted: none, failed: none, unkeyed: none, stale: none });

      await loadGroupKeys(bob, message(2, 1, [0, 1, 2]), quiet);
      expect(forwarded.map(bytesOf)).toEqual([1, 2, 3].map((fill) => bytesOf(vp8Frame(fill))));
      expect(bob.report).toMatchObject({ decrypted: { audio: 0, video: 3 }, failed: none, unkeyed: none, stale: none });
      expect(bob.report.senders.find((entry) => entry.index === 0)).toMatchObject({ decrypted: { audio: 0, video: 3 }, lastEpoch: 2 });
      // Nothing is left waiting: the next frame passes at once.
      expect(receive(sent(alice, 'video', 4))).toBe(true);
      expect(forwarded).toHaveLength(3);
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(bob);
    }
  });

  it('holds at most the count bound: the oldest frames beyond it are dropped as unkeyed, the rest open', async () => {
    const alice = await member(1, 0, [0, 1]);
    const bob = await member(1, 1, [0, 1]);
    try {
      await loadGroupKeys(alice, message(2, 0, [0, 1]), quiet);
      const { receive, forwarded } = receiver(bob, 'audio', { maxFrames: 2, maxAgeMs: 60_000 });
      for (const fill of [1, 2, 3, 4]) expect(receive(sent(alice, 'audio', fill))).toBe(false);
      expect(bob.report.unkeyed).toEqual({ audio: 2, video: 0 });
      await loadGroupKeys(bob, message(2, 1, [0, 1]), quiet);
      expect(forwarded.map(bytesOf)).toEqual([3, 4].map((fill) => bytesOf(opusFrame(fill))));
      expect(bob.report).toMatchObject({ decrypted: { audio: 2, video: 0 }, failed: none, unkeyed: { audio: 2, video: 0 } });
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(bob);
    }
  });

  it('drops frames held past the age bound as unkeyed, whether the keys come late or never (the wipe)', async () => {
    const alice = await member(1, 0, [0, 1]);
    const bob = await member(1, 1, [0, 1]);
    try {
      await loadGroupKeys(alice, message(2, 0, [0, 1]), quiet);
      const { receive, forwarded, clock } = receiver(bob, 'audio', { maxFrames: 100, maxAgeMs: 1000 });
      expect(receive(sent(alice, 'audio', 1))).toBe(false);
      clock.now = 600;
      expect(receive(sent(alice, 'audio', 2))).toBe(false);
      // The next frame finds the first one too old.
      clock.now = 1200;
      expect(receive(sent(alice, 'audio', 3))).toBe(false);
      expect(bob.report.unkeyed.audio).toBe(1);
      // Keys that come later than the second frame's bound release only the third.
      clock.now = 1700;
      await loadGroupKeys(bob, message(2, 1, [0, 1]), quiet);
      expect(forwarded.map(bytesOf)).toEqual([bytesOf(opusFrame(3))]);
      expect(bob.report).toMatchObject({ decrypted: { audio: 1, video: 0 }, failed: none, unkeyed: { audio: 2, video: 0 } });

      // Frames of epoch 3, whose keys never come before the call ends.
      await loadGroupKeys(alice, message(3, 0, [0, 1]), quiet);
      const waiting = [4, 5].map((fill) => sent(alice, 'audio', fill));
      const wire = waiting.map(bytesOf);
      for (const frame of waiting) expect(receive(frame)).toBe(false);
      wipeCallKeys(bob);
      expect(bob.report).toMatchObject({ decrypted: { audio: 1, video: 0 }, failed: none, unkeyed: { audio: 4, video: 0 } });
      expect(forwarded).toHaveLength(1);
      expect(waiting.map(bytesOf)).toEqual(wire);
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(bob);
    }
  });

  it('counts a frame of an epoch already dropped as stale, not failed', async () => {
    const scheduler = manualScheduler();
    const alice = await member(1, 0, [0, 1, 2]);
    const bob = await member(1, 1, [0, 1, 2], scheduler);
    const carol = await member(1, 2, [0, 1, 2]);
    try {
      const late = sent(carol, 'audio', 1);
      await loadGroupKeys(alice, message(2, 0, [0, 1, 2]), quiet);
      await loadGroupKeys(bob, message(2, 1, [0, 1, 2]), quiet);
      const { receive } = receiver(bob, 'audio');
      // Alice's first epoch-2 frame starts the grace of epoch 1; once it ends, epoch 1 is gone.
      expect(receive(sent(alice, 'audio', 2))).toBe(true);
      scheduler.runAll();
      expect(bob.group?.ring.heldEpochs).toEqual([2n]);
      expect(receive(late)).toBe(false);
      expect(bob.report).toMatchObject({ decrypted: { audio: 1, video: 0 }, failed: none, unkeyed: none, stale: { audio: 1, video: 0 } });
    } finally {
      for (const state of [alice, bob, carol]) wipeCallKeys(state);
    }
  });

  it('still fails a forged frame, or one under another key, of an epoch held back, once its keys arrive', async () => {
    const alice = await member(1, 0, [0, 1]);
    const bob = await member(1, 1, [0, 1]);
    // Someone with a different base key for epoch 2, sending under Alice's KID.
    const mallory = await member(2, 0, [0, 1], manualScheduler(), baseKey(2, 7));
    try {
      await loadGroupKeys(alice, message(2, 0, [0, 1]), quiet);
      const { receive, forwarded } = receiver(bob, 'audio');
      const forged = sent(alice, 'audio', 1);
      const tampered = new Uint8Array(forged.data);
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
      const wrongKey = sent(mallory, 'audio', 2);
      const genuine = sent(alice, 'audio', 3);
      for (const frame of [forged, wrongKey, genuine]) expect(receive(frame)).toBe(false);
      expect(bob.report).toMatchObject({ failed: none, unkeyed: none });

      await loadGroupKeys(bob, message(2, 1, [0, 1]), quiet);
      expect(forwarded.map(bytesOf)).toEqual([bytesOf(opusFrame(3))]);
      expect(bob.report).toMatchObject({ decrypted: { audio: 1, video: 0 }, failed: { audio: 2, video: 0 }, unkeyed: none, stale: none });
      expect(bob.report.senders.find((entry) => entry.index === 0)).toMatchObject({ failed: { audio: 2, video: 0 } });
    } finally {
      for (const state of [alice, bob, mallory]) wipeCallKeys(state);
    }
  });
});
