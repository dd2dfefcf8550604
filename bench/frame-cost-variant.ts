/*
 * The frame-crypto worker's per-frame path as the frame-cost benchmark drives it: one 1:1 call's
 * send and receive pipelines in the worker (frameProcessor, with its keys), fed frame-like objects
 * whose `data` is an ArrayBuffer as an encoded frame's is. The benchmark bundles this file from the
 * working tree and, for a before/after, from a baseline commit's tree, into one worker.
 */
import { loadCallKeys } from '../renderer/workers/call-keys';
import { newCryptoState } from '../renderer/workers/crypto-state';
import { frameProcessor } from '../renderer/workers/frame-pipeline';

export type Kind = 'audio' | 'video';

export interface FrameLike {
  data: ArrayBuffer;
}

export interface FramePath {
  encrypt(kind: Kind, frame: FrameLike): boolean;
  decrypt(kind: Kind, frame: FrameLike): boolean;
}

const noHooks = { post: () => undefined, onSendGeneration: () => undefined };

/** Two ends of a call, Alice's send pipelines and Bob's receive pipelines, keyed for each other. */
export async function framePath(): Promise<FramePath> {
  const alice = newCryptoState();
  const bob = newCryptoState();
  await loadCallKeys(alice, new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), 3_600_000, noHooks);
  await loadCallKeys(bob, new Uint8Array(32).fill(2), new Uint8Array(32).fill(1), 3_600_000, noHooks);
  const send = { audio: frameProcessor(alice, 'audio', 'send'), video: frameProcessor(alice, 'video', 'send') };
  const receive = { audio: frameProcessor(bob, 'audio', 'receive'), video: frameProcessor(bob, 'video', 'receive') };
  return {
    encrypt: (kind, frame) => send[kind](frame),
    decrypt: (kind, frame) => receive[kind](frame),
  };
}
