/// <reference lib="webworker" />
import { newCryptoState } from './crypto-state';
import { frameProcessor, pumpFrames, type PipelineHooks } from './frame-pipeline';
import { isTransformOptions, MAX_SLOT_LENGTH, type MediaKind, type PageToWorker, type TransformDirection, type WorkerToPage } from './frame-crypto-messages';
import { loadCallKeys, wipeCallKeys, type CallKeyHooks } from './call-keys';
import { loadGroupKeys, syncGroupReport } from './group-call-keys';
import { loadSodium } from '../../shared/crypto/sodium';
import { FrameRecorder, tryDecryptFrames } from './frame-recorder';

/*
 * The frame-crypto worker: SFrame on every encoded audio and video frame of one call, 1:1 or group
 * (the first keys message fixes which). One worker per call, however many peer connections it
 * has; the page terminates it after 'wipe'. The cipher is libsodium's ChaCha20-Poly1305,
 * synchronous on this thread; WebCrypto's HKDF derives the keys. Nothing random per frame (the
 * nonce is salt XOR counter).
 */

declare const self: DedicatedWorkerGlobalScope;

const REPORT_EVERY_MS = 500;

const state = newCryptoState();
const recorder = new FrameRecorder();
// Compiled now, while the worker waits as the next call's spare, not when the call's keys arrive.
loadSodium().catch(() => {
  post({ type: 'problem', message: 'libsodium could not be loaded: frames cannot be encrypted' });
});
/** Video senders, to ask for a key frame when the key generation switches. */
const videoSenders = new Set<RTCRtpScriptTransformer>();

function post(message: WorkerToPage): void {
  self.postMessage(message);
}

function run(readable: ReadableStream<unknown>, writable: WritableStream<unknown>, kind: MediaKind, direction: TransformDirection, hooks: PipelineHooks = {}): Promise<void> {
  state.report.transforms.push(`${direction}-${kind}`);
  const recording: PipelineHooks = { ...hooks, onReceived: (frameKind, bytes) => { recorder.see(frameKind, bytes); } };
  return pumpFrames(readable, writable, frameProcessor(state, kind, direction, recording));
}

/** Chromium 156 has no RTCRtpScriptTransformer.generateKeyFrame; where it exists, the sender asks its own encoder. */
function requestKeyFrames(): void {
  for (const transformer of videoSenders) {
    const generate = (transformer as Partial<Pick<RTCRtpScriptTransformer, 'generateKeyFrame'>>).generateKeyFrame;
    if (typeof generate === 'function') generate.call(transformer).catch(() => undefined);
  }
}

self.addEventListener('rtctransform', (event: RTCTransformEvent) => {
  const { transformer } = event;
  const options: unknown = transformer.options;
  if (!isTransformOptions(options)) {
    post({ type: 'problem', message: 'a transform arrived without kind and direction; its frames are dropped' });
    return;
  }
  const hooks: PipelineHooks = {};
  const { slot } = options;
  if (slot !== undefined && options.direction === 'receive') hooks.boundTo = () => state.slots.get(slot) ?? null;
  if (options.kind === 'video' && options.direction === 'send') videoSenders.add(transformer);
  if (options.kind === 'video' && options.direction === 'receive') {
    // Without generateKeyFrame on the sender's side, the receiver's key frame request (a PLI)
    // gets the key frame at each switch instead.
    const request = (transformer as Partial<Pick<RTCRtpScriptTransformer, 'sendKeyFrameRequest'>>).sendKeyFrameRequest;
    if (typeof request === 'function') hooks.onNewGeneration = () => void request.call(transformer).catch(() => undefined);
  }
  // A group call's peer connections come and go: a closed one's transformer is let go.
  void run(transformer.readable, transformer.writable, options.kind, options.direction, hooks).finally(() => videoSenders.delete(transformer));
});

const keyHooks: CallKeyHooks = { post, onSendGeneration: requestKeyFrames };

/** Slots are a subscription's mids: a handful per member, never more than this many in all. */
const MAX_SLOTS = 512;

function bindSlot(slot: unknown, userId: unknown): void {
  if (typeof slot !== 'string' || slot.length === 0 || slot.length > MAX_SLOT_LENGTH) return;
  if (userId !== null && (typeof userId !== 'string' || userId.length === 0 || userId.length > 256)) return;
  if (!state.slots.has(slot) && state.slots.size >= MAX_SLOTS) {
    post({ type: 'problem', message: 'too many SFU receiver slots; this one stays unbound' });
    return;
  }
  state.slots.set(slot, userId);
}

function wipe(): void {
  wipeCallKeys(state);
  post({ type: 'wiped', report: state.report });
}

self.addEventListener('message', (event: MessageEvent<PageToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'keys':
      loadCallKeys(state, message.sendKey, message.receiveKey, message.ratchetIntervalMs, keyHooks).catch(() => {
        post({ type: 'problem', message: 'the call keys could not be loaded' });
      });
      return;
    case 'group-keys':
      loadGroupKeys(state, message, keyHooks).catch(() => {
        post({ type: 'problem', message: 'the group keys could not be loaded' });
      });
      return;
    case 'streams': {
      const { slot } = message;
      const bound: PipelineHooks = typeof slot === 'string' && message.direction === 'receive' ? { boundTo: () => state.slots.get(slot) ?? null } : {};
      void run(message.readable, message.writable, message.kind, message.direction, bound);
      return;
    }
    case 'bind':
      bindSlot(message.slot, message.userId);
      return;
    case 'wipe':
      wipe();
      return;
    case 'timings':
      if (message.action === 'start') state.timings.start();
      else post({ type: 'timings', samples: state.timings.read() });
      return;
    case 'record':
      if (message.action === 'start') recorder.start(message.count);
      else post({ type: 'recorded', frames: recorder.take() });
      return;
    case 'try-decrypt':
      post({ type: 'tried', ...tryDecryptFrames(state, Array.isArray(message.frames) ? message.frames : []) });
      return;
  }
});

setInterval(() => {
  syncGroupReport(state);
  post({ type: 'report', report: state.report });
}, REPORT_EVERY_MS);
