import { describe, expect, it } from 'vitest';
import { loadCallKeys, wipeCallKeys } from './call-keys';
import { newCryptoState, type CryptoState } from './crypto-state';
import { frameProcessor } from './frame-pipeline';
import type { MediaKind } from './frame-crypto-messages';

/** The part of an encoded frame the pipeline touches. */
interface FakeFrame {
  data: ArrayBuffer;
}

const opusFrame = (): FakeFrame => ({ data: Uint8Array.from({ length: 60 }, (_, i) => (i * 7) & 0xff).buffer });
/** A VP8 delta frame (bit 0 of the frame tag set). */
const vp8Frame = (): FakeFrame => ({ data: Uint8Array.from({ length: 300 }, (_, i) => (i === 0 ? 0x31 : (i * 3) & 0xff)).buffer });

/** One side of a call whose send key is the other's receive key: `send` keys the sender, `receive` the receiver. */
async function side(send: number, receive: number): Promise<CryptoState> {
  const state = newCryptoState();
  await loadCallKeys(state, new Uint8Array(32).fill(send), new Uint8Array(32).fill(receive), 60_000, {
    post: () => undefined,
    onSendGeneration: () => undefined,
  });
  return state;
}

function copy(frame: FakeFrame): FakeFrame {
  return { data: frame.data.slice(0) };
}

describe('frameProcessor', () => {
  it('drops an audio frame on the video receiver and a video frame on the audio receiver, and counts them', async () => {
    const alice = await side(1, 2);
    const bob = await side(2, 1);
    try {
      const encrypt = (kind: MediaKind, frame: FakeFrame) => {
        expect(frameProcessor(alice, kind, 'send')(frame)).toBe(true);
        return frame;
      };
      const audio = encrypt('audio', opusFrame());
      const video = encrypt('video', vp8Frame());
      expect(frameProcessor(bob, 'video', 'receive')(copy(audio))).toBe(false);
      expect(frameProcessor(bob, 'audio', 'receive')(copy(video))).toBe(false);
      expect(bob.report.failed).toEqual({ audio: 1, video: 1 });
      // On their own receivers they open, byte for byte.
      const openedAudio = copy(audio);
      const openedVideo = copy(video);
      expect(frameProcessor(bob, 'audio', 'receive')(openedAudio)).toBe(true);
      expect(frameProcessor(bob, 'video', 'receive')(openedVideo)).toBe(true);
      expect(new Uint8Array(openedAudio.data)).toEqual(new Uint8Array(opusFrame().data));
      expect(new Uint8Array(openedVideo.data)).toEqual(new Uint8Array(vp8Frame().data));
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(bob);
    }
  });

  it("reads a frame's data once and sets it once, and times the read, SFrame and the write when asked", async () => {
    const alice = await side(1, 2);
    try {
      /** An encoded frame whose `data` is an accessor, as in Chromium, counting its calls. */
      let stored = opusFrame().data;
      const calls = { get: 0, set: 0 };
      const frame = {
        get data() {
          calls.get++;
          return stored;
        },
        set data(value: ArrayBuffer) {
          calls.set++;
          stored = value;
        },
      };
      alice.timings.start();
      expect(frameProcessor(alice, 'audio', 'send')(frame)).toBe(true);
      expect(calls).toEqual({ get: 1, set: 1 });
      expect(stored.byteLength).toBeGreaterThan(opusFrame().data.byteLength);
      const samples = alice.timings.read();
      expect(samples['send-audio']).toHaveLength(1);
      expect(samples['send-audio:read']).toHaveLength(1);
      expect(samples['send-audio:write']).toHaveLength(1);
      const [total = -1] = samples['send-audio'];
      const [read = -1] = samples['send-audio:read'];
      const [write = -1] = samples['send-audio:write'];
      expect(read).toBeGreaterThanOrEqual(0);
      expect(write).toBeGreaterThanOrEqual(0);
      expect(read + write).toBeLessThanOrEqual(total);
    } finally {
      wipeCallKeys(alice);
    }
  });

  it('drops a replayed frame and counts it apart from failures', async () => {
    const alice = await side(1, 2);
    const bob = await side(2, 1);
    try {
      const frame = opusFrame();
      frameProcessor(alice, 'audio', 'send')(frame);
      const receive = frameProcessor(bob, 'audio', 'receive');
      expect(receive(copy(frame))).toBe(true);
      expect(receive(copy(frame))).toBe(false);
      expect(bob.report.decrypted.audio).toBe(1);
      expect(bob.report.replayed.audio).toBe(1);
      expect(bob.report.failed.audio).toBe(0);
    } finally {
      wipeCallKeys(alice);
      wipeCallKeys(bob);
    }
  });
});
