import { describe, expect, it } from 'vitest';
import { loadCallKeys, wipeCallKeys, type CallKeyHooks } from './call-keys';
import { newCryptoState, type CryptoState } from './crypto-state';
import { frameProcessor } from './frame-pipeline';
import { MAX_GROUP_SENDERS, type MediaKind, type WorkerToPage } from './frame-crypto-messages';
import { copy, frameOf, message, opusFrame, USERS, type FakeFrame } from './group-frames.fixture';
import { loadGroupKeys, syncGroupReport, type GroupKeysMessage } from './group-call-keys';
import { manualScheduler } from './manual-scheduler.fixture';
import { decodeSFrameHeader } from '../../shared/crypto/sframe';
import { groupKid } from '../../shared/crypto/sframe-mls';
import { MAX_GROUP_MEMBERS } from '../../shared/ipc';

/** The clear codec prefix before the SFrame header of the fixture's frames. */
const PREFIX: Record<MediaKind, number> = { audio: 1, video: 3 };

function recorder(): CallKeyHooks & { posted: WorkerToPage[]; keyFrameRequests: number } {
  const hooks = {
    posted: [] as WorkerToPage[],
    keyFrameRequests: 0,
    post: (posted: WorkerToPage) => {
      hooks.posted.push(posted);
    },
    onSendGeneration: () => {
      hooks.keyFrameRequests++;
    },
  };
  return hooks;
}

async function member(epoch: number, ownIndex: number, members: readonly number[]): Promise<CryptoState> {
  const state = newCryptoState();
  await loadGroupKeys(state, message(epoch, ownIndex, members), recorder(), { schedule: manualScheduler().schedule });
  return state;
}

/** Encrypts a frame on one of `state`'s send transforms and returns it (it must pass). */
function sent(state: CryptoState, kind: MediaKind, fill: number): FakeFrame {
  const frame = frameOf(kind, fill);
  expect(frameProcessor(state, kind, 'send')(frame)).toBe(true);
  return frame;
}

describe('the frame pipeline in a group call', () => {
  it('lets every member decode every other member, counted per sender and kind', async () => {
    const members = [0, 1, 2];
    const states = await Promise.all(members.map((index) => member(3, index, members)));
    try {
      for (const [from, sender] of states.entries()) {
        for (const kind of ['audio', 'video'] as const) {
          const frame = sent(sender, kind, from);
          expect(decodeSFrameHeader(new Uint8Array(frame.data).subarray(PREFIX[kind])).kid).toBe(groupKid(3n, from));
          for (const [to, receiver] of states.entries()) {
            if (to === from) continue;
            const received = copy(frame);
            expect(frameProcessor(receiver, kind, 'receive')(received)).toBe(true);
            expect(new Uint8Array(received.data)).toEqual(new Uint8Array(frameOf(kind, from).data));
          }
        }
      }
      for (const [own, state] of states.entries()) {
        syncGroupReport(state);
        expect(state.report.mode).toBe('group');
        expect(state.report.sendEpoch).toBe(3);
        expect(state.report.epochsHeld).toEqual([3]);
        expect(state.report.encrypted).toEqual({ audio: 1, video: 1 });
        expect(state.report.decrypted).toEqual({ audio: 2, video: 2 });
        expect(state.report.senders).toEqual(
          members
            .filter((index) => index !== own)
            .map((index) => ({ index, userId: USERS[index], decrypted: { audio: 1, video: 1 }, failed: { audio: 0, video: 0 }, lastEpoch: 3 })),
        );
      }
    } finally {
      for (const state of states) wipeCallKeys(state);
    }
  });

  it("gives a member left out of the next epoch none of that epoch's frames; one who has its keys opens them all", async () => {
    const alice = await member(1, 0, [0, 1, 2]);
    const bob = await member(1, 1, [0, 1, 2]);
    const carol = await member(1, 2, [0, 1, 2]);
    try {
      // Before the removal everyone opens Alice's epoch-1 frames.
      const before = sent(alice, 'audio', 0);
      expect(frameProcessor(carol, 'audio', 'receive')(copy(before))).toBe(true);
      expect(frameProcessor(bob, 'audio', 'receive')(copy(before))).toBe(true);
      // Carol is removed: Alice and Bob move to epoch 2 without her.
      const hooks = recorder();
      await loadGroupKeys(alice, message(2, 0, [0, 1]), hooks);
      await loadGroupKeys(bob, message(2, 1, [0, 1]), recorder());
      expect(hooks.keyFrameRequests).toBe(1);
      const frames = (['video', 'audio', 'video'] as const).map((kind, fill) => ({ kind, frame: sent(alice, kind, fill) }));
      for (const { kind, frame } of frames) {
        const atCarol = copy(frame);
        expect(frameProcessor(carol, kind, 'receive')(atCarol)).toBe(false);
        // Dropped, and never handed on in the clear: the bytes are still the ciphertext.
        expect(new Uint8Array(atCarol.data)).toEqual(new Uint8Array(frame.data));
        expect(frameProcessor(bob, kind, 'receive')(copy(frame))).toBe(true);
      }
      // To Carol the new epoch is one whose keys have not come (and never will): not opened, not
      // failed, dropped as unkeyed (with nowhere to pass frames on later, nothing is held).
      expect(carol.report.decrypted).toEqual({ audio: 1, video: 0 });
      expect(carol.report.failed).toEqual({ audio: 0, video: 0 });
      expect(carol.report.unkeyed).toEqual({ audio: 1, video: 2 });
      expect(carol.report.senders.find((entry) => entry.index === 0)).toMatchObject({ decrypted: { audio: 1, video: 0 }, failed: { audio: 0, video: 0 }, lastEpoch: 1 });
      expect(bob.report.senders.find((entry) => entry.index === 0)).toEqual({
        index: 0,
        userId: 'alice',
        decrypted: { audio: 2, video: 2 },
        failed: { audio: 0, video: 0 },
        lastEpoch: 2,
      });
      syncGroupReport(bob);
      expect(bob.report.sendEpoch).toBe(2);
      expect(bob.report.epochsHeld).toEqual([1, 2]);
    } finally {
      for (const state of [alice, bob, carol]) wipeCallKeys(state);
    }
  });

  it('fails a frame whose KID names no member of a held epoch, and never passes it on', async () => {
    const alice = await member(4, 0, [0, 1]);
    // Someone who knows the epoch's base key but is not one of Alice's listed senders.
    const outsider = await member(4, 5, [0, 5]);
    try {
      const frame = sent(outsider, 'audio', 9);
      const received = copy(frame);
      expect(frameProcessor(alice, 'audio', 'receive')(received)).toBe(false);
      expect(new Uint8Array(received.data)).toEqual(new Uint8Array(frame.data));
      expect(alice.report.failed.audio).toBe(1);
      expect(alice.report.decrypted.audio).toBe(0);
      // Not listed, so counted only in the totals.
      expect(alice.report.senders).toEqual([{ index: 1, userId: 'bob', decrypted: { audio: 0, video: 0 }, failed: { audio: 0, video: 0 }, lastEpoch: null }]);
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(outsider);
    }
  });

  it('opens on an SFU slot only the frames of the member bound to it; a mislabelled feed fails and is never passed on', async () => {
    const members = [0, 1, 2];
    const [alice, bob, carol] = await Promise.all(members.map((index) => member(4, index, members)));
    if (alice === undefined || bob === undefined || carol === undefined) throw new Error('three members');
    try {
      let boundTo: string | null = 'bob';
      const slot = frameProcessor(alice, 'video', 'receive', { boundTo: () => boundTo });
      expect(slot(copy(sent(bob, 'video', 1)))).toBe(true);
      // Carol's frame on the slot the SFU says is Bob's: refused before any decryption.
      const lying = copy(sent(carol, 'video', 2));
      const before = new Uint8Array(lying.data);
      expect(slot(lying)).toBe(false);
      expect(new Uint8Array(lying.data)).toEqual(before);
      expect(alice.report.failed.video).toBe(1);
      expect(alice.report.senders.find((entry) => entry.userId === 'carol')?.failed.video).toBe(1);
      // The slot rebound to Carol (the SFU reused it): now hers open, and Bob's fail.
      boundTo = 'carol';
      expect(slot(copy(sent(carol, 'video', 3)))).toBe(true);
      expect(slot(copy(sent(bob, 'video', 4)))).toBe(false);
      // Bound to nobody (a member let go, whose frames the SFU still forwards a moment): nothing
      // opens, and it is not a failure.
      boundTo = null;
      expect(slot(copy(sent(carol, 'video', 5)))).toBe(false);
      expect(alice.report.failed.video).toBe(2);
      expect(alice.report.stale.video).toBe(1);
      expect(alice.report.decrypted.video).toBe(2);
      // The frame refused on the wrong slot did not spend its counter: it still opens where it belongs.
      expect(frameProcessor(alice, 'video', 'receive')(copy(lying))).toBe(true);
    } finally {
      for (const state of [alice, bob, carol]) wipeCallKeys(state);
    }
  });

  it('never repeats a counter under one key across the send transforms of several peer connections', async () => {
    const alice = await member(7, 0, [0, 1, 2, 3]);
    const bob = await member(7, 1, [0, 1, 2, 3]);
    try {
      // One video and one audio sender per peer connection (to Bob, Carol and Dave), all in one worker.
      const transforms = [1, 2, 3].flatMap(() => (['video', 'audio'] as const).map((kind) => ({ kind, send: frameProcessor(alice, kind, 'send') })));
      const counters: bigint[] = [];
      const receive = { audio: frameProcessor(bob, 'audio', 'receive'), video: frameProcessor(bob, 'video', 'receive') };
      for (let round = 0; round < 5; round++) {
        for (const { kind, send } of transforms) {
          const frame = frameOf(kind, round);
          expect(send(frame)).toBe(true);
          counters.push(decodeSFrameHeader(new Uint8Array(frame.data).subarray(PREFIX[kind])).ctr);
          // Every copy the connections carry opens once at Bob: no counter was used twice.
          expect(receive[kind](frame)).toBe(true);
        }
      }
      expect(new Set(counters).size).toBe(counters.length);
      expect(bob.report.replayed).toEqual({ audio: 0, video: 0 });
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(bob);
    }
  });

  it('asks the video receiver for a key frame when a sender moves to a newer epoch', async () => {
    const alice = await member(1, 0, [0, 1]);
    const bob = await member(1, 1, [0, 1]);
    try {
      let requests = 0;
      const receive = frameProcessor(bob, 'video', 'receive', {
        onNewGeneration: () => {
          requests++;
        },
      });
      expect(receive(sent(alice, 'video', 1))).toBe(true);
      await loadGroupKeys(alice, message(2, 0, [0, 1]), recorder());
      await loadGroupKeys(bob, message(2, 1, [0, 1]), recorder());
      expect(receive(sent(alice, 'video', 2))).toBe(true);
      expect(receive(sent(alice, 'video', 3))).toBe(true);
      expect(requests).toBe(1);
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(bob);
    }
  });
});

describe('group keys in the worker', () => {
  it('fixes the mode with the first keys: 1:1 keys after group keys, and group keys after 1:1 keys, are refused and zeroed', async () => {
    const group = newCryptoState();
    await loadGroupKeys(group, message(1, 0, [0, 1]), recorder());
    const hooks = recorder();
    const pairKeys = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)] as const;
    await loadCallKeys(group, pairKeys[0], pairKeys[1], 60_000, hooks);
    expect(hooks.posted).toEqual([{ type: 'problem', message: '1:1 keys arrived at a worker that serves a group call; they were dropped' }]);
    expect(pairKeys.every((key) => key.every((byte) => byte === 0))).toBe(true);
    expect(group.sendKeys).toBeUndefined();

    const pair = newCryptoState();
    await loadCallKeys(pair, new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), 60_000, recorder());
    const late = message(1, 0, [0, 1]);
    const refused = recorder();
    await loadGroupKeys(pair, late, refused);
    expect(refused.posted).toEqual([{ type: 'problem', message: 'group keys refused: this worker serves a 1:1 call' }]);
    expect(late.baseKey.every((byte) => byte === 0)).toBe(true);
    expect(pair.group).toBeUndefined();
    expect(pair.report.mode).toBe('pair');
    wipeCallKeys(group);
    wipeCallKeys(pair);
  });

  it('refuses a malformed epoch, an epoch not newer than the last, and keys after the wipe, zeroing each key', async () => {
    const state = newCryptoState();
    const cases: [GroupKeysMessage, string][] = [
      [{ ...message(1, 0, [0, 1]), epoch: -1 }, 'a group epoch is a non-negative integer'],
      [{ ...message(1, 70_000, [0, 1]) }, 'a leaf index is an integer from 0 to 65535'],
      [message(1, 0, Array.from({ length: MAX_GROUP_SENDERS + 1 }, (_, index) => index)), `a group epoch lists 1 to ${String(MAX_GROUP_SENDERS)} senders`],
      [message(1, 0, [0, 1, 1]), 'each group sender has a leaf index of its own'],
      [{ ...message(1, 0, [0, 1]), senders: [{ index: 1, userId: '' }] }, 'each group sender has a user id'],
    ];
    for (const [bad, why] of cases) {
      const hooks = recorder();
      await loadGroupKeys(state, bad, hooks);
      expect(hooks.posted).toEqual([{ type: 'problem', message: `group keys refused: ${why}` }]);
      expect(bad.baseKey.every((byte) => byte === 0)).toBe(true);
    }
    const short = recorder();
    await loadGroupKeys(state, message(1, 0, [0, 1], new Uint8Array(16).fill(3)), short);
    expect(short.posted).toEqual([{ type: 'problem', message: 'group keys refused: a group base key is 32 bytes' }]);
    expect(state.report.mode).toBe('none');

    await loadGroupKeys(state, message(5, 0, [0, 1]), recorder());
    const stale = message(5, 0, [0, 1]);
    const staleHooks = recorder();
    await loadGroupKeys(state, stale, staleHooks);
    expect(staleHooks.posted).toHaveLength(1);
    expect(stale.baseKey.every((byte) => byte === 0)).toBe(true);
    syncGroupReport(state);
    expect(state.report.sendEpoch).toBe(5);

    wipeCallKeys(state);
    expect(state.report).toMatchObject({ keysWiped: true, sendEpoch: null, epochsHeld: [] });
    expect(frameProcessor(state, 'audio', 'send')(opusFrame(1))).toBe(false);
    expect(state.report.unkeyed.audio).toBe(1);
    const after = message(6, 0, [0, 1]);
    const afterHooks = recorder();
    await loadGroupKeys(state, after, afterHooks);
    expect(afterHooks.posted).toEqual([{ type: 'problem', message: 'group keys refused: they arrived after the wipe' }]);
    expect(after.baseKey.every((byte) => byte === 0)).toBe(true);
  });

  it('lists at most MAX_GROUP_SENDERS senders however many come and go, the current epoch first to stay', async () => {
    const state = newCryptoState();
    const upTo = (from: number, to: number) => Array.from({ length: to - from }, (_, offset) => from + offset);
    try {
      await loadGroupKeys(state, message(1, 0, upTo(0, MAX_GROUP_SENDERS)), recorder());
      expect(state.report.senders.map((entry) => entry.index)).toEqual(upTo(1, MAX_GROUP_SENDERS));
      // Three leave and three others join: the leavers keep their counts only while there is room.
      const joined = [0, ...upTo(4, MAX_GROUP_SENDERS + 3)];
      await loadGroupKeys(state, message(2, 0, joined), recorder());
      const listed = state.report.senders.map((entry) => entry.index);
      expect(listed.length).toBeLessThanOrEqual(MAX_GROUP_SENDERS);
      expect(listed).toEqual(expect.arrayContaining(joined.slice(1)));
      // A leaf index MLS gives to someone else starts afresh under the new user.
      const entry = state.report.senders.find((sender) => sender.index === 9);
      if (entry !== undefined) entry.decrypted.video = 5;
      const reused = message(3, 0, [0, 9]);
      reused.senders[1] = { index: 9, userId: 'mallory' };
      await loadGroupKeys(state, reused, recorder());
      expect(state.report.senders.length).toBeLessThanOrEqual(MAX_GROUP_SENDERS);
      expect(state.report.senders.find((sender) => sender.index === 9)).toEqual({
        index: 9,
        userId: 'mallory',
        decrypted: { audio: 0, video: 0 },
        failed: { audio: 0, video: 0 },
        lastEpoch: null,
      });
    } finally {
      wipeCallKeys(state);
    }
  });

  it('takes as many senders as a group call can have members', () => {
    expect(MAX_GROUP_SENDERS).toBe(MAX_GROUP_MEMBERS);
  });
});
