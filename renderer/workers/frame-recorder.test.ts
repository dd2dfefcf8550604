import { describe, expect, it } from 'vitest';
import { newCryptoState, type CryptoState } from './crypto-state';
import { frameProcessor } from './frame-pipeline';
import type { MediaKind, WorkerToPage } from './frame-crypto-messages';
import { FrameRecorder, MAX_RECORDED_FRAMES, tryDecryptFrames } from './frame-recorder';
import { loadGroupKeys } from './group-call-keys';
import { manualScheduler } from './manual-scheduler.fixture';
import { groupKid } from '../../shared/crypto/sframe-mls';

const baseKey = (epoch: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + epoch * 29 + 1) & 0xff);
const senders = [
  { index: 0, userId: 'alice' },
  { index: 1, userId: 'bob' },
  { index: 2, userId: 'carol' },
];
const hooks = { post: (_: WorkerToPage) => undefined, onSendGeneration: () => undefined };
const frameOf = (kind: MediaKind, fill: number) => ({
  data: Uint8Array.from({ length: kind === 'audio' ? 60 : 300 }, (_, i) => (kind === 'video' && i === 0 ? 0x31 : (i * 7 + fill) & 0xff)).buffer,
});

async function memberAt(epoch: number, ownIndex: number, state = newCryptoState()): Promise<CryptoState> {
  await loadGroupKeys(state, { type: 'group-keys', epoch, ownIndex, baseKey: baseKey(epoch), senders }, hooks, { schedule: manualScheduler().schedule });
  return state;
}

/** Bob sends `count` frames of each kind; Alice's receive transforms see them with a recorder on. */
function sendThrough(bob: CryptoState, alice: CryptoState, recorder: FrameRecorder, count: number): void {
  for (const kind of ['audio', 'video'] as const) {
    const send = frameProcessor(bob, kind, 'send');
    const receive = frameProcessor(alice, kind, 'receive', { onReceived: (frameKind, bytes) => { recorder.see(frameKind, bytes); } });
    for (let i = 0; i < count; i++) {
      const frame = frameOf(kind, i);
      expect(send(frame)).toBe(true);
      expect(receive(frame)).toBe(true);
    }
  }
}

describe('the frame recorder (e2e tests only)', () => {
  it('keeps the next frames as they arrived, with their KID, and stops at the count asked for', async () => {
    const [alice, bob] = await Promise.all([memberAt(5, 0), memberAt(5, 1)]);
    const recorder = new FrameRecorder();
    sendThrough(bob, alice, recorder, 2);
    expect(recorder.take()).toEqual([]);
    recorder.start(3);
    sendThrough(bob, alice, recorder, 2);
    const frames = recorder.take();
    expect(frames.map((frame) => [frame.kind, frame.kid])).toEqual([
      ['audio', Number(groupKid(5n, 1))],
      ['audio', Number(groupKid(5n, 1))],
      ['video', Number(groupKid(5n, 1))],
    ]);
    expect(recorder.take()).toEqual([]);
    recorder.start(MAX_RECORDED_FRAMES + 10);
    sendThrough(bob, alice, recorder, MAX_RECORDED_FRAMES);
    expect(recorder.take()).toHaveLength(MAX_RECORDED_FRAMES);
  });

  it('opens recorded frames with the keys held now, even ones this worker already opened, and only those', async () => {
    const [alice, bob, carol] = await Promise.all([memberAt(5, 0), memberAt(5, 1), memberAt(5, 2)]);
    const recorder = new FrameRecorder();
    recorder.start(40);
    sendThrough(bob, alice, recorder, 10);
    const epoch5 = recorder.take();
    expect(epoch5).toHaveLength(20);
    // Carol holds epoch 5 and opens all of them, whatever her own transforms saw; nothing is counted.
    expect(tryDecryptFrames(carol, epoch5)).toEqual({ decrypted: 20, failed: 0 });
    expect(carol.report.decrypted).toEqual({ audio: 0, video: 0 });
    // Alice opened them live; a fresh replay window lets her open them again here.
    expect(tryDecryptFrames(alice, epoch5)).toEqual({ decrypted: 20, failed: 0 });
    // Epoch 6 without Carol: her epoch-5 keys open none of it.
    await Promise.all([memberAt(6, 0, alice), memberAt(6, 1, bob)]);
    recorder.start(40);
    sendThrough(bob, alice, recorder, 10);
    const epoch6 = recorder.take();
    expect(tryDecryptFrames(carol, epoch6)).toEqual({ decrypted: 0, failed: 20 });
    // A worker with no keys at all opens nothing, and a damaged frame does not open.
    expect(tryDecryptFrames(newCryptoState(), epoch6)).toEqual({ decrypted: 0, failed: 20 });
    const damaged = epoch6.map((frame) => ({ ...frame, bytes: frame.bytes.map((byte, i) => (i === frame.bytes.length - 1 ? byte ^ 1 : byte)) }));
    expect(tryDecryptFrames(alice, damaged)).toEqual({ decrypted: 0, failed: 20 });
  });
});
