import { decodeCallKey } from '../../shared/protocol/call-codec';
import type { CallKeys } from '../../shared/ipc';
import { emptyReport, type CryptoReport, type GroupSender, type PageToWorker, type RecordedFrame, type WorkerToPage } from '../workers/frame-crypto-messages';
import { emptyTimingSamples, type FrameTimingSamples } from '../workers/frame-timings';

/** One epoch's media keys as the core sends them over IPC (docs/group-calls.md), the base key in URL-safe base64. */
export interface GroupKeysFromCore {
  readonly epoch: number;
  readonly ownIndex: number;
  readonly baseKey: string;
  readonly senders: readonly GroupSender[];
}

/** How long hang-up waits for the worker to confirm the wipe before terminating it anyway. */
const WIPE_TIMEOUT_MS = 1000;
/** How long a benchmark's read of the frame timings waits for the worker. */
const TIMINGS_TIMEOUT_MS = 2000;
/** How long the e2e tests' frame probe waits for the worker: generous, a loaded test machine is slow. */
const PROBE_TIMEOUT_MS = 60_000;

function startWorker(): Worker {
  // Vite bundles the worker from this literal URL into a file of its own, served from 'self'.
  return new Worker(new URL('../workers/frame-crypto.worker.ts', import.meta.url), { name: 'sealcall-frame-crypto' });
}

let spareWorker: Worker | undefined;

/**
 * Starts the next call's worker ahead of time (at start-up, and when a call ends): starting a
 * worker takes a thread and a script load, which would otherwise compete with the camera and the
 * handshake during call set-up. It holds no key until its call loads them, and serves one call.
 */
export function makeSpareFrameCryptoWorker(): void {
  spareWorker ??= startWorker();
}

/**
 * The first spare, once the page has painted and gone idle: the worker's script carries libsodium's
 * WebAssembly (about 190 KB compressed), which must not compete with the contact list's first
 * paint. A call placed before then starts its own worker.
 */
export function makeSpareFrameCryptoWorkerWhenIdle(): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(makeSpareFrameCryptoWorker, { timeout: 3000 });
  else setTimeout(makeSpareFrameCryptoWorker, 1000);
}

/**
 * The page's handle on one call's frame-crypto worker, 1:1 or group. Started at the beginning of a
 * call so it has loaded by the time the transforms arrive; wiped and terminated when the call ends.
 */
export class FrameCryptoClient {
  readonly worker: Worker;
  #report: CryptoReport = emptyReport();
  #terminated = false;
  #wiped: Promise<CryptoReport> | undefined;
  readonly #onReport: (report: CryptoReport) => void;
  readonly #onProblem: (message: string) => void;

  constructor(onReport: (report: CryptoReport) => void, onProblem: (message: string) => void) {
    this.#onReport = onReport;
    this.#onProblem = onProblem;
    this.worker = spareWorker ?? startWorker();
    spareWorker = undefined;
    this.worker.addEventListener('message', (event: MessageEvent<WorkerToPage>) => {
      const message = event.data;
      if (message.type === 'problem') {
        this.#onProblem(message.message);
        return;
      }
      // Answers to readTimings() and the frame probe, which listen for them themselves.
      if (message.type === 'timings' || message.type === 'recorded' || message.type === 'tried') return;
      this.#report = message.report;
      this.#onReport(message.report);
    });
    this.worker.addEventListener('error', () => {
      this.#onProblem('the frame-crypto worker failed');
    });
  }

  get report(): CryptoReport {
    return this.#report;
  }

  /** Hands the two base keys to the worker; their bytes are transferred, not copied. */
  loadKeys(keys: Pick<CallKeys, 'sendKey' | 'receiveKey'>, ratchetIntervalMs: number): void {
    const sendKey = decodeCallKey(keys.sendKey);
    const receiveKey = decodeCallKey(keys.receiveKey);
    this.#post({ type: 'keys', sendKey, receiveKey, ratchetIntervalMs }, [sendKey.buffer, receiveKey.buffer]);
  }

  /**
   * Hands one epoch of a group call to the worker, as the keys arrive from the core; the base
   * key's bytes are transferred, not copied. The first call fixes the worker to group mode: it
   * then refuses 1:1 keys, and a 1:1 worker refuses these.
   */
  loadGroupKeys(keys: GroupKeysFromCore): void {
    const baseKey = decodeCallKey(keys.baseKey);
    const senders = keys.senders.map(({ index, userId }) => ({ index, userId }));
    this.#post({ type: 'group-keys', epoch: keys.epoch, ownIndex: keys.ownIndex, baseKey, senders }, [baseKey.buffer]);
  }

  /** Names the member an SFU receiver slot carries now; sent before the description that makes or reuses the slot. */
  bindSlot(slot: string, userId: string | null): void {
    this.#post({ type: 'bind', slot, userId });
  }

  /** The legacy path's streams of one sender or receiver. */
  pipeStreams(message: Extract<PageToWorker, { type: 'streams' }>): void {
    this.#post(message, [message.readable, message.writable]);
  }

  /** Benchmarks only: the worker times every frame's encrypt and decrypt from now on. */
  startTimings(): void {
    this.#post({ type: 'timings', action: 'start' });
  }

  /** The worker's per-frame timings so far; empty once the worker has ended. */
  readTimings(): Promise<FrameTimingSamples> {
    if (this.#terminated) return Promise.resolve(emptyTimingSamples());
    return new Promise((resolve) => {
      const finish = (samples: FrameTimingSamples) => {
        clearTimeout(timer);
        this.worker.removeEventListener('message', onMessage);
        resolve(samples);
      };
      const onMessage = (event: MessageEvent<WorkerToPage>) => {
        if (event.data.type === 'timings') finish(event.data.samples);
      };
      const timer = setTimeout(() => {
        finish(emptyTimingSamples());
      }, TIMINGS_TIMEOUT_MS);
      this.worker.addEventListener('message', onMessage);
      this.#post({ type: 'timings', action: 'read' });
    });
  }

  /** E2e tests only: the worker keeps a copy of the next `count` frames it receives, as they arrived. */
  recordReceived(count: number): void {
    this.#post({ type: 'record', action: 'start', count });
  }

  /** E2e tests only: the frames recorded so far. Rejects once the worker has ended. */
  readRecorded(): Promise<RecordedFrame[]> {
    return this.#ask({ type: 'record', action: 'read' }, (message) => (message.type === 'recorded' ? message.frames : undefined));
  }

  /**
   * E2e tests only: how many of these frames the worker's keys open now; nothing is passed on.
   * Rejects when the worker has ended or does not answer: a missing answer must never read as
   * "nothing opened".
   */
  tryDecrypt(frames: RecordedFrame[]): Promise<{ decrypted: number; failed: number }> {
    return this.#ask({ type: 'try-decrypt', frames }, (message) => (message.type === 'tried' ? { decrypted: message.decrypted, failed: message.failed } : undefined));
  }

  /** Posts `message` and resolves with the worker's answer; rejects if the worker has ended or stays silent. */
  #ask<T>(message: PageToWorker, answer: (reply: WorkerToPage) => T | undefined): Promise<T> {
    if (this.#terminated) return Promise.reject(new Error('the frame-crypto worker has ended'));
    return new Promise((resolve, reject) => {
      const onMessage = (event: MessageEvent<WorkerToPage>) => {
        const value = answer(event.data);
        if (value === undefined) return;
        clearTimeout(timer);
        this.worker.removeEventListener('message', onMessage);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.worker.removeEventListener('message', onMessage);
        reject(new Error('the frame-crypto worker did not answer'));
      }, PROBE_TIMEOUT_MS);
      this.worker.addEventListener('message', onMessage);
      this.#post(message);
    });
  }

  /** Zeroes and drops every key in the worker, then ends it. Resolves with the final counts. */
  wipe(): Promise<CryptoReport> {
    this.#wiped ??= new Promise<CryptoReport>((resolve) => {
      const finish = (report: CryptoReport) => {
        clearTimeout(timer);
        this.worker.removeEventListener('message', onMessage);
        this.#report = report;
        this.#terminated = true;
        this.worker.terminate();
        makeSpareFrameCryptoWorker();
        this.#onReport(report);
        resolve(report);
      };
      const onMessage = (event: MessageEvent<WorkerToPage>) => {
        if (event.data.type === 'wiped') finish(event.data.report);
      };
      // Terminating the worker frees its memory, keys included, even if it never answered.
      const timer = setTimeout(() => {
        finish({ ...this.#report, keysWiped: true });
      }, WIPE_TIMEOUT_MS);
      this.worker.addEventListener('message', onMessage);
      this.#post({ type: 'wipe' });
    });
    return this.#wiped;
  }

  #post(message: PageToWorker, transfer: Transferable[] = []): void {
    if (this.#terminated) return;
    this.worker.postMessage(message, transfer);
  }
}
