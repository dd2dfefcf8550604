import { describe, expect, it } from 'vitest';
import { manualScheduler } from './manual-scheduler.fixture';
import { decryptMediaFrame, encryptMediaFrame } from '../../shared/crypto/media-frame';
import { decodeSFrameHeader } from '../../shared/crypto/sframe';
import { groupKid } from '../../shared/crypto/sframe-mls';
import { expectRejects, expectThrows } from '../../shared/crypto/expect-rejects.fixture';
import { GroupKeyRing, PREVIOUS_EPOCH_GRACE_MS, type GroupEpochMaterial } from './group-key-ring';

const base = (epoch: bigint) => Uint8Array.from({ length: 32 }, (_, index) => (index + Number(epoch) * 31) & 0xff);
const senders = (count: number) => Array.from({ length: count }, (_, index) => ({ index }));
const material = (epoch: bigint, ownIndex: number, count = 4): GroupEpochMaterial => ({ epoch, ownIndex, baseKey: base(epoch), senders: senders(count) });
const opusFrame = (fill: number) => Uint8Array.from({ length: 40 }, () => fill);

function send(ring: GroupKeyRing, fill: number): Uint8Array {
  const sender = ring.sender;
  if (sender === undefined) throw new Error('the ring has no sender');
  return encryptMediaFrame(sender, 'opus', opusFrame(fill));
}

function open(ring: GroupKeyRing, frame: Uint8Array): Uint8Array {
  let kid: bigint | undefined;
  const plain = decryptMediaFrame(
    (frameKid) => {
      kid = frameKid;
      return ring.receiverFor(frameKid);
    },
    'opus',
    frame,
  );
  if (kid !== undefined) ring.confirm(kid);
  return plain;
}

describe('GroupKeyRing', () => {
  it('lets each of four members open the others, by KID = (index << 4) + epoch bits', async () => {
    const rings = [0, 1, 2, 3].map(() => new GroupKeyRing({ schedule: manualScheduler().schedule }));
    await Promise.all(rings.map((ring, index) => ring.install(material(5n, index))));
    for (const [from, sending] of rings.entries()) {
      const frame = send(sending, from);
      expect(decodeSFrameHeader(frame.subarray(1)).kid).toBe(groupKid(5n, from));
      for (const [to, receiving] of rings.entries()) {
        if (to === from) expectThrows(() => open(receiving, frame), 'sframe-unknown-kid');
        else expect(open(receiving, frame)).toEqual(opusFrame(from));
      }
    }
  });

  it('keeps the previous epoch only for the grace once the new one authenticates, then wipes it', async () => {
    const grace = manualScheduler();
    const bob = new GroupKeyRing();
    const carol = new GroupKeyRing({ schedule: grace.schedule });
    await bob.install(material(1n, 1));
    await carol.install(material(1n, 2));
    const old = [send(bob, 1), send(bob, 2)];
    expect(open(carol, old[0] ?? new Uint8Array(0))).toEqual(opusFrame(1));
    const oldSender = bob.sender;
    await bob.install(material(2n, 1));
    await carol.install(material(2n, 2));
    expect(bob.sendEpoch).toBe(2n);
    // Bob's epoch-1 sending key is gone at once.
    expectThrows(() => oldSender?.encrypt(new Uint8Array(0), opusFrame(9)), 'invalid-key');
    expect(carol.heldEpochs).toEqual([1n, 2n]);
    expect(grace.pending).toEqual([]);
    const fresh = send(bob, 3);
    expect(open(carol, fresh)).toEqual(opusFrame(3));
    expect(grace.pending).toEqual([PREVIOUS_EPOCH_GRACE_MS]);
    // Within the grace a late frame of epoch 1 still opens; after it, epoch 1 is gone.
    expect(open(carol, old[1] ?? new Uint8Array(0))).toEqual(opusFrame(2));
    grace.runAll();
    expect(carol.heldEpochs).toEqual([2n]);
    const late = new GroupKeyRing();
    await late.install(material(1n, 1));
    expectThrows(() => open(carol, send(late, 4)), 'sframe-unknown-kid');
  });

  it('never holds an epoch older than the one before the newest', async () => {
    const grace = manualScheduler();
    const ring = new GroupKeyRing({ schedule: grace.schedule });
    await ring.install(material(1n, 0));
    await ring.install(material(2n, 0));
    await ring.install(material(3n, 0));
    expect(ring.heldEpochs).toEqual([2n, 3n]);
    const sender = new GroupKeyRing();
    await sender.install(material(3n, 1));
    open(ring, send(sender, 1));
    expect(grace.pending).toEqual([PREVIOUS_EPOCH_GRACE_MS]);
    grace.runAll();
    expect(ring.heldEpochs).toEqual([3n]);
  });

  it('refuses an epoch that is not newer, and zeroes its key', async () => {
    const ring = new GroupKeyRing();
    await ring.install(material(3n, 0));
    const stale = material(2n, 0);
    await expectRejects(ring.install(stale), 'invalid-input');
    expect(stale.baseKey.every((byte) => byte === 0)).toBe(true);
    expect(ring.sendEpoch).toBe(3n);
  });

  it('has no key for a sender the epoch does not list', async () => {
    const ring = new GroupKeyRing();
    await ring.install(material(4n, 0, 3));
    const outsider = new GroupKeyRing();
    // Someone who still knows the epoch's base key but is not listed (index 3 of 3 senders).
    await outsider.install(material(4n, 3, 4));
    expectThrows(() => open(ring, send(outsider, 1)), 'sframe-unknown-kid');
    expect(ring.receiverFor(1n << 60n)).toBeUndefined();
  });

  it('wipes everything and takes nothing afterwards', async () => {
    const ring = new GroupKeyRing();
    await ring.install(material(1n, 0));
    const peer = new GroupKeyRing();
    await peer.install(material(1n, 1));
    const frame = send(peer, 7);
    ring.wipe();
    expect(ring.sender).toBeUndefined();
    expect(ring.heldEpochs).toEqual([]);
    expectThrows(() => open(ring, frame), 'sframe-unknown-kid');
    const late = material(2n, 0);
    await expectRejects(ring.install(late), 'invalid-input');
    expect(late.baseKey.every((byte) => byte === 0)).toBe(true);
  });
});
