import { deriveSFrameSecret, SFrameReceiver, SFrameSender, wipeSFrameSecret, type SFrameSecret } from '../../shared/crypto/sframe';
import { ratchetBaseKey } from './ratchet';

/*
 * The keys of one call, by generation. KID = generation: the RFC's ratchet with no externally
 * distributed key generations (its G = 0 and R = 64), since each call has exactly one base key per
 * direction, from the handshake. Generation i uses base_key[i] = ratchet^i(handshake key).
 */

/**
 * How long a receiver still opens the previous generation once the next one has authenticated a
 * frame: long enough for frames sent just before the switch (a video frame waiting on a
 * retransmission, a queued audio packet), short enough that a recorded frame of the old key is not
 * worth replaying. Older generations than the previous are wiped at once.
 */
export const PREVIOUS_GENERATION_GRACE_MS = 2000;
/**
 * How far ahead of the newest authenticated generation a receiver derives keys. The header that
 * names a generation is not authenticated, so this bounds the work a forged frame can cause.
 */
const MAX_AHEAD = 4;

interface Generation {
  base: Uint8Array;
  secret: SFrameSecret;
}

async function nextGeneration(base: Uint8Array, kid: bigint): Promise<Generation> {
  const next = await ratchetBaseKey(base);
  return { base: next, secret: await deriveSFrameSecret(next, kid) };
}

/** The sending side: one SFrameSender per generation, shared by audio and video so counters never repeat. */
export class SendKeys {
  #base: Uint8Array;
  #secret: SFrameSecret;
  #sender: SFrameSender;
  #next: Promise<Generation>;
  /** The last advance() queued; the next one starts after it. */
  #advancing: Promise<void> = Promise.resolve();
  #wiped = false;

  private constructor(base: Uint8Array, secret: SFrameSecret) {
    this.#base = base;
    this.#secret = secret;
    this.#sender = new SFrameSender(secret);
    this.#next = this.#prepareNext();
  }

  /** Takes ownership of `baseKey` (it is zeroed once the ratchet moves past it). */
  static async create(baseKey: Uint8Array): Promise<SendKeys> {
    return new SendKeys(baseKey, await deriveSFrameSecret(baseKey, 0n));
  }

  get sender(): SFrameSender {
    return this.#sender;
  }

  get generation(): bigint {
    return this.#sender.kid;
  }

  /**
   * Moves to the next generation; the switch itself is synchronous once the next key is ready.
   * Calls run one after another, each moving one generation: two overlapping calls must not both
   * switch to the same prepared generation, since the second would wipe the key the first put live.
   */
  advance(): Promise<void> {
    const step = this.#advancing.then(() => this.#step());
    this.#advancing = step.catch(() => undefined);
    return step;
  }

  async #step(): Promise<void> {
    const next = await this.#next;
    if (this.#wiped) return;
    this.#base.fill(0);
    wipeSFrameSecret(this.#secret);
    this.#base = next.base;
    this.#secret = next.secret;
    this.#sender = new SFrameSender(next.secret);
    this.#next = this.#prepareNext();
  }

  wipe(): void {
    this.#wiped = true;
    this.#base.fill(0);
    wipeSFrameSecret(this.#secret);
    void this.#next.then(
      (pending) => {
        pending.base.fill(0);
        wipeSFrameSecret(pending.secret);
      },
      () => undefined,
    );
  }

  // Derived ahead of time, so a ratchet never holds up a frame.
  #prepareNext(): Promise<Generation> {
    const next = nextGeneration(this.#base, this.#sender.kid + 1n);
    next.catch(() => undefined);
    return next;
  }
}

/** Runs `task` after `ms`; returns what cancels it. Tests pass their own to run it when they choose. */
export type Scheduler = (task: () => void, ms: number) => () => void;

const timerScheduler: Scheduler = (task, ms) => {
  const timer = setTimeout(task, ms);
  return () => {
    clearTimeout(timer);
  };
};

export interface ReceiveKeysOptions {
  /** When the previous generation's grace ends; setTimeout unless a test drives it. */
  readonly schedule?: Scheduler;
}

/**
 * The receiving side: the newest generation that authenticated a frame, the one before it for a
 * short grace, and the next ones derived ahead, so the sender's switch costs no frame. A
 * generation becomes the newest only when a frame under it authenticates. Each generation has its
 * own SFrameReceiver, so its own replay window.
 */
export class ReceiveKeys {
  readonly #receivers = new Map<bigint, SFrameReceiver>();
  readonly #schedule: Scheduler;
  /** Cancels the previous generation's pending retirement. */
  readonly #retirements = new Set<() => void>();
  #newest = 0n;
  /** The base key of the highest generation derived so far, to ratchet further from. */
  #chainBase: Uint8Array;
  #chainKid = 0n;
  #extending: Promise<void> | undefined;
  #wiped = false;

  private constructor(base: Uint8Array, secret: SFrameSecret, options: ReceiveKeysOptions) {
    this.#chainBase = base;
    this.#schedule = options.schedule ?? timerScheduler;
    this.#receivers.set(0n, new SFrameReceiver(secret));
    this.#extendTo(1n);
  }

  /** Takes ownership of `baseKey`. */
  static async create(baseKey: Uint8Array, options: ReceiveKeysOptions = {}): Promise<ReceiveKeys> {
    return new ReceiveKeys(baseKey, await deriveSFrameSecret(baseKey, 0n), options);
  }

  get generation(): bigint {
    return this.#newest;
  }

  /** Resolves once the generations asked for so far are derived (or their derivation failed). */
  async derived(): Promise<void> {
    for (let pending = this.#pending(); pending !== undefined; pending = this.#pending()) await pending;
  }

  /** The generations whose keys are held now, oldest first (for the tests). */
  get heldGenerations(): bigint[] {
    return [...this.#receivers.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The receiver for a frame's KID, if held; an unknown KID within reach is derived for later frames. */
  receiverFor(kid: bigint): SFrameReceiver | undefined {
    const receiver = this.#receivers.get(kid);
    if (receiver === undefined && kid > this.#chainKid && kid <= this.#newest + BigInt(MAX_AHEAD)) this.#extendTo(kid);
    return receiver;
  }

  /**
   * A frame under `kid` authenticated: it may become the newest generation. The one before it
   * stays for a short grace; anything older goes at once. Besides the generations derived ahead,
   * only the newest and the previous one ever open frames.
   */
  confirm(kid: bigint): void {
    if (kid <= this.#newest) return;
    this.#newest = kid;
    const previous = kid - 1n;
    for (const held of [...this.#receivers.keys()]) {
      if (held < previous) this.#retire(held);
    }
    if (this.#receivers.has(previous)) {
      const cancel = this.#schedule(() => {
        this.#retirements.delete(cancel);
        this.#retire(previous);
      }, PREVIOUS_GENERATION_GRACE_MS);
      this.#retirements.add(cancel);
    }
    this.#extendTo(kid + 1n);
  }

  wipe(): void {
    this.#wiped = true;
    for (const cancel of this.#retirements) cancel();
    this.#retirements.clear();
    this.#chainBase.fill(0);
    for (const receiver of this.#receivers.values()) wipeSFrameSecret(receiver.secret);
    this.#receivers.clear();
  }

  #retire(kid: bigint): void {
    const receiver = this.#receivers.get(kid);
    if (receiver === undefined) return;
    wipeSFrameSecret(receiver.secret);
    this.#receivers.delete(kid);
  }

  // Methods, not the fields: they change across awaits, which narrowing would not see.
  #isWiped(): boolean {
    return this.#wiped;
  }

  #pending(): Promise<void> | undefined {
    return this.#extending;
  }

  #extendTo(target: bigint): void {
    if (this.#wiped || target <= this.#chainKid || this.#extending !== undefined) return;
    this.#extending = (async () => {
      while (!this.#isWiped() && this.#chainKid < target) {
        const kid = this.#chainKid + 1n;
        const next = await nextGeneration(this.#chainBase, kid);
        if (this.#isWiped()) {
          next.base.fill(0);
          wipeSFrameSecret(next.secret);
          return;
        }
        this.#chainBase.fill(0);
        this.#chainBase = next.base;
        this.#chainKid = kid;
        this.#receivers.set(kid, new SFrameReceiver(next.secret));
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        this.#extending = undefined;
        // A confirm that arrived meanwhile may want more.
        if (!this.#wiped && this.#chainKid < this.#newest + 1n) this.#extendTo(this.#newest + 1n);
      });
  }
}
