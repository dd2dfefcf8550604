import { wipeSFrameSecret, SFrameReceiver, SFrameSender, type SFrameSecret } from '../../shared/crypto/sframe';
import { deriveGroupSenderSecret, kidMatchesEpoch, parseGroupKid, SFRAME_MLS_EPOCH_BITS } from '../../shared/crypto/sframe-mls';
import { CryptoError } from '../../shared/crypto/errors';
import type { Scheduler } from './key-ring';

/*
 * The media keys of one group call, by (MLS epoch, sender index), for the frame-crypto worker
 * (docs/group-calls.md). The core hands over each epoch's base key and member list; every sender's
 * secret is derived from them at once (RFC 9605 §5.2, at most 8 senders in a mesh), and the base
 * key is then zeroed. Frames are matched to keys by KID: the sender index and the epoch's low bits.
 */

/**
 * How long the previous epoch still opens frames once the new one has authenticated a frame: a
 * member whose core applies the commit later still sends under the previous epoch meanwhile, and
 * on a loaded machine cores apply one fan-out seconds apart (docs/group-calls.md, "Epoch
 * switches"). Keeping it longer opens no door: the previous epoch's keys only open frames that
 * arrive on a member's own DTLS-bound connection. Epochs older than the previous are wiped at once.
 */
export const PREVIOUS_EPOCH_GRACE_MS = 10_000;

/**
 * How many epochs past the newest held a KID's low bits may name and still count as "not keyed
 * yet" (a peer's core applied commits ours has not); the other half of the 16 the bits tell apart
 * are epochs behind. A frame is only ever held for these, never opened without the epoch's keys.
 */
export const EPOCHS_AHEAD = 8;

const EPOCH_SPAN = 1n << BigInt(SFRAME_MLS_EPOCH_BITS);

/**
 * What a KID means to the ring: `held`, its epoch's keys are here (a frame that then does not open
 * failed); `ahead`, its epoch is newer than any the ring has; `stale`, its epoch is one the ring no
 * longer (or never) held; `wiped`, the ring holds nothing any more; `foreign`, not a group
 * member's KID at all.
 */
export type KidStanding = 'held' | 'ahead' | 'stale' | 'wiped' | 'foreign';

/** What the core sends the worker for one epoch (GroupEpochKeys without the security code). */
export interface GroupEpochMaterial {
  readonly epoch: bigint;
  readonly ownIndex: number;
  /** RFC 9605 §5.2 base_key of the epoch; the ring takes it and zeroes it. */
  readonly baseKey: Uint8Array;
  readonly senders: readonly { readonly index: number }[];
}

interface HeldEpoch {
  readonly epoch: bigint;
  readonly receivers: Map<number, SFrameReceiver>;
  readonly own: SFrameSecret;
}

const timerScheduler: Scheduler = (task, ms) => {
  const timer = setTimeout(task, ms);
  return () => {
    clearTimeout(timer);
  };
};

export interface GroupKeyRingOptions {
  /** When the previous epoch's grace ends; setTimeout unless a test drives it. */
  readonly schedule?: Scheduler;
}

function wipeEpoch(held: HeldEpoch): void {
  wipeSFrameSecret(held.own);
  for (const receiver of held.receivers.values()) wipeSFrameSecret(receiver.secret);
  held.receivers.clear();
}

export class GroupKeyRing {
  readonly #schedule: Scheduler;
  readonly #epochs = new Map<bigint, HeldEpoch>();
  readonly #retirements = new Set<() => void>();
  #sender: SFrameSender | undefined;
  #sendEpoch: bigint | undefined;
  /** The newest epoch installed, which `standing` measures KIDs against. */
  #newest: bigint | undefined;
  /** The newest epoch a received frame has authenticated under. */
  #confirmed: bigint | undefined;
  /** The highest epoch asked for, so a late install of an older one is refused. */
  #highest: bigint | undefined;
  #installing: Promise<void> = Promise.resolve();
  #wiped = false;

  constructor(options: GroupKeyRingOptions = {}) {
    this.#schedule = options.schedule ?? timerScheduler;
  }

  /** The sender of the newest installed epoch, shared by audio and video so counters never repeat. */
  get sender(): SFrameSender | undefined {
    return this.#sender;
  }

  get sendEpoch(): bigint | undefined {
    return this.#sendEpoch;
  }

  /** The epochs whose keys are held now, oldest first (for the tests). */
  get heldEpochs(): bigint[] {
    return [...this.#epochs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Takes a new epoch's keys (and ownership of its base key). Sending moves to it at once; the
   * epoch before stays for receiving, anything older is wiped. Epochs only move forward: an
   * epoch at or below one already given is refused, and its base key zeroed.
   */
  install(material: GroupEpochMaterial): Promise<void> {
    const { epoch, baseKey } = material;
    if (this.#wiped || (this.#highest !== undefined && epoch <= this.#highest)) {
      baseKey.fill(0);
      return Promise.reject(new CryptoError('invalid-input', `epoch ${epoch} is not newer than the keys the ring already has`));
    }
    this.#highest = epoch;
    const step = this.#installing.then(() => this.#install(material));
    this.#installing = step.catch(() => undefined);
    return step;
  }

  async #install(material: GroupEpochMaterial): Promise<void> {
    const { epoch, ownIndex, baseKey, senders } = material;
    let held: HeldEpoch;
    try {
      const receivers = new Map<number, SFrameReceiver>();
      for (const { index } of senders) {
        if (index !== ownIndex && !receivers.has(index)) receivers.set(index, new SFrameReceiver(await deriveGroupSenderSecret(baseKey, epoch, index)));
      }
      held = { epoch, receivers, own: await deriveGroupSenderSecret(baseKey, epoch, ownIndex) };
    } finally {
      baseKey.fill(0);
    }
    if (this.#isWiped()) {
      wipeEpoch(held);
      return;
    }
    this.#epochs.set(epoch, held);
    // The previous epoch's own key only ever sent: nothing opens with it, so it goes now.
    const previousSend = this.#sendEpoch === undefined ? undefined : this.#epochs.get(this.#sendEpoch);
    if (previousSend !== undefined) wipeSFrameSecret(previousSend.own);
    this.#sender = new SFrameSender(held.own);
    this.#sendEpoch = epoch;
    this.#newest = epoch;
    // Hold at most this epoch and the one before it.
    for (const other of [...this.#epochs.keys()]) if (other < epoch - 1n) this.#retire(other);
  }

  /** Resolves once every install asked for so far has finished (or failed). */
  async installed(): Promise<void> {
    await this.#installing;
  }

  /** The receiver for a frame's KID, if its (epoch, sender) is held. */
  receiverFor(kid: bigint): SFrameReceiver | undefined {
    const held = this.#heldFor(kid);
    return held?.epoch.receivers.get(held.senderIndex);
  }

  /** The held epoch a KID's low bits name, if any: which epoch a frame that opened was sent under. */
  epochFor(kid: bigint): bigint | undefined {
    return this.#heldFor(kid)?.epoch.epoch;
  }

  /** Where the epoch of a KID that found no receiver stands against the keys held now. */
  standing(kid: bigint): KidStanding {
    if (this.#wiped) return 'wiped';
    let parts;
    try {
      parts = parseGroupKid(kid);
    } catch {
      return 'foreign';
    }
    for (const held of this.#epochs.values()) if (kidMatchesEpoch(parts, held.epoch)) return 'held';
    if (this.#newest === undefined) return 'ahead';
    const distance = (((BigInt(parts.epochBits) - this.#newest) % EPOCH_SPAN) + EPOCH_SPAN) % EPOCH_SPAN;
    return distance >= 1n && distance <= BigInt(EPOCHS_AHEAD) ? 'ahead' : 'stale';
  }

  #heldFor(kid: bigint): { epoch: HeldEpoch; senderIndex: number } | undefined {
    let parts;
    try {
      parts = parseGroupKid(kid);
    } catch {
      return undefined;
    }
    for (const held of this.#epochs.values()) {
      if (kidMatchesEpoch(parts, held.epoch)) return { epoch: held, senderIndex: parts.senderIndex };
    }
    return undefined;
  }

  /**
   * A frame under `kid` authenticated. The first under a newer epoch makes it the confirmed one:
   * the epoch just before it stays for PREVIOUS_EPOCH_GRACE_MS, anything older goes at once.
   */
  confirm(kid: bigint): void {
    let parts;
    try {
      parts = parseGroupKid(kid);
    } catch {
      return;
    }
    const held = [...this.#epochs.values()].find((candidate) => kidMatchesEpoch(parts, candidate.epoch));
    if (held === undefined || (this.#confirmed !== undefined && held.epoch <= this.#confirmed)) return;
    this.#confirmed = held.epoch;
    const previous = held.epoch - 1n;
    for (const other of [...this.#epochs.keys()]) if (other < previous) this.#retire(other);
    if (this.#epochs.has(previous)) {
      const cancel = this.#schedule(() => {
        this.#retirements.delete(cancel);
        this.#retire(previous);
      }, PREVIOUS_EPOCH_GRACE_MS);
      this.#retirements.add(cancel);
    }
  }

  /** Zeroes every key; the ring takes none afterwards. */
  wipe(): void {
    this.#wiped = true;
    for (const cancel of this.#retirements) cancel();
    this.#retirements.clear();
    for (const epoch of [...this.#epochs.keys()]) this.#retire(epoch);
    this.#sender = undefined;
    this.#sendEpoch = undefined;
  }

  #retire(epoch: bigint): void {
    const held = this.#epochs.get(epoch);
    if (held === undefined) return;
    wipeEpoch(held);
    this.#epochs.delete(epoch);
    if (this.#sendEpoch === epoch) {
      this.#sender = undefined;
      this.#sendEpoch = undefined;
    }
  }

  // A method, not the field: it changes across awaits, which narrowing would not see.
  #isWiped(): boolean {
    return this.#wiped;
  }
}
