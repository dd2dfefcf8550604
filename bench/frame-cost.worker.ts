/*
 * The frame-cost benchmark's worker (bundled by bench/frame-cost.bench.ts, started from a blob in a
 * cross-origin isolated page): the worker's per-frame SFrame path against the raw cipher on a frame
 * of the same size, in the same worker, each operation timed on its own as the worker times frames
 * in a call. Rounds rotate which goes first, so none always finds the caches warmed by another.
 */
import sodium from 'libsodium-wrappers-sumo';
import { framePaths, type Variant } from './frame-cost-variants';
import type { FrameLike, Kind } from './frame-cost-variant';

export interface FrameCostRequest {
  kind: Kind;
  bytes: number;
  rounds: number;
  /** 0: back to back; else one frame every paceMs, as frames arrive in a call. */
  paceMs: number;
}

/** Per-operation samples in µs, by what was timed. */
export type FrameCostSamples = Record<string, number[]>;

function frame(kind: Kind, bytes: number, seed: number): FrameLike {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed) & 0xff;
  // A VP8 delta frame (bit 0 of the frame tag set): 3 clear bytes, as most video frames are.
  if (kind === 'video') data[0] = 0x31;
  return { data: data.buffer };
}

addEventListener('message', (event: Event) => {
  const { kind, bytes, rounds, paceMs } = (event as MessageEvent<FrameCostRequest>).data;
  void (async () => {
    await sodium.ready;
    const variants: Variant[] = await framePaths();
    const key = sodium.randombytes_buf(32);
    const samples: FrameCostSamples = { 'raw encrypt': [], 'raw decrypt': [] };
    for (const { name } of variants) {
      samples[`${name} encrypt`] = [];
      samples[`${name} decrypt`] = [];
    }
    const time = (label: string, run: () => unknown) => {
      const started = performance.now();
      run();
      samples[label]?.push((performance.now() - started) * 1000);
    };
    const nonce = new Uint8Array(12);
    for (let round = 0; round < rounds; round++) {
      const plain = new Uint8Array(frame(kind, bytes, round).data);
      new DataView(nonce.buffer).setUint32(8, round);
      // Each operation's input is made first, untimed, so no timed operation runs right after
      // the same code warmed the caches for it.
      const sealed = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plain, null, null, nonce, key);
      const ops: [string, () => unknown][] = [
        ['raw encrypt', () => sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plain, null, null, nonce, key)],
        ['raw decrypt', () => sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, sealed, null, nonce, key)],
      ];
      for (const { name, path } of variants) {
        const toSend = frame(kind, bytes, round);
        const received = frame(kind, bytes, round);
        if (!path.encrypt(kind, received)) throw new Error(`${name} dropped a frame it should encrypt`);
        ops.push([`${name} encrypt`, () => path.encrypt(kind, toSend)], [`${name} decrypt`, () => path.decrypt(kind, received)]);
      }
      // Rotate which goes first each round; paced, each one waits alone, as a call's frames do.
      for (let i = 0; i < ops.length; i++) {
        const op = ops[(round + i) % ops.length];
        if (op === undefined) continue;
        if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
        time(op[0], op[1]);
      }
    }
    postMessage(samples);
  })();
});
