import { deriveSFrameSecret, SFrameSender, wipeSFrameSecret, type SFrameSecret } from '../../shared/crypto/sframe';
import { ratchetBaseKey } from './ratchet';

/*
 * The keys of one call, by generation. KID = generation: the RFC's ratchet with no externally
 * distributed key generations (its G = 0 and R = 64), since each call has exactly one base key per
 * direction, from the handshake. Generation i uses base_key[i] = ratchet^i(handshake key).
 */

/** How many generations a receiver still accepts behind the newest one: late frames across a switch. */
const KEPT_BEHIND = 2;
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

  /** Moves to the next generation; the switch itself is synchronous once the next key is ready. */
  async advance(): Promise<void> {
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

/**
 * The receiving side: the newest generation that authenticated a frame, the few before it, and the
 * next ones derived ahead, so the sender's switch costs no frame. A generation becomes the newest
 * only when a frame under it authenticates.
 */
export class ReceiveKeys {
  readonly #secrets = new Map<bigint, SFrameSecret>();
  #newest = 0n;
  /** The base key of the highest generation derived so far, to ratchet further from. */
  #chainBase: Uint8Array;
  #chainKid = 0n;
  #extending: Promise<void> | undefined;
  #wiped = false;

  private constructor(base: Uint8Array, secret: SFrameSecret) {
    this.#chainBase = base;
    this.#secrets.set(0n, secret);
    this.#extendTo(1n);
  }

  /** Takes ownership of `baseKey`. */
  static async create(baseKey: Uint8Array): Promise<ReceiveKeys> {
    return new ReceiveKeys(baseKey, await deriveSFrameSecret(baseKey, 0n));
  }

  get generation(): bigint {
    return this.#newest;
  }

  /** The secret for a frame's KID, if held; an unknown KID within reach is derived for later frames. */
  secretFor(kid: bigint): SFrameSecret | undefined {
    const secret = this.#secrets.get(kid);
    if (secret === undefined && kid > this.#chainKid && kid <= this.#newest + BigInt(MAX_AHEAD)) this.#extendTo(kid);
    return secret;
  }

  /** A frame under `kid` authenticated: it may become the newest generation. */
  confirm(kid: bigint): void {
    if (kid <= this.#newest) return;
    this.#newest = kid;
    for (const [held, secret] of this.#secrets) {
      if (held < kid - BigInt(KEPT_BEHIND)) {
        wipeSFrameSecret(secret);
        this.#secrets.delete(held);
      }
    }
    this.#extendTo(kid + 1n);
  }

  wipe(): void {
    this.#wiped = true;
    this.#chainBase.fill(0);
    for (const secret of this.#secrets.values()) wipeSFrameSecret(secret);
    this.#secrets.clear();
  }

  // A method, not the field: the flag changes across awaits, which narrowing would not see.
  #isWiped(): boolean {
    return this.#wiped;
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
        this.#secrets.set(kid, next.secret);
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
