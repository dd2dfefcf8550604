import { SFRAME_MLS_BASE_KEY_BYTES, SFRAME_MLS_MAX_SENDER_INDEX } from '../../shared/crypto/sframe-mls';
import type { CallKeyHooks } from './call-keys';
import { notifyKeysChanged, type CryptoState, type GroupState } from './crypto-state';
import { MAX_GROUP_SENDERS, type PageToWorker } from './frame-crypto-messages';
import { GroupKeyRing, type GroupKeyRingOptions } from './group-key-ring';
import { SenderCounts } from './sender-counts';

export type GroupKeysMessage = Extract<PageToWorker, { type: 'group-keys' }>;

/** User ids are short; this only keeps a report from carrying whatever a bad message held. */
const MAX_USER_ID_LENGTH = 256;

function isLeafIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= SFRAME_MLS_MAX_SENDER_INDEX;
}

/** Why a 'group-keys' message cannot be taken, or undefined when it is well formed. */
export function groupKeysProblem(message: GroupKeysMessage): string | undefined {
  const { epoch, ownIndex, baseKey, senders } = message as Partial<Record<keyof GroupKeysMessage, unknown>>;
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0) return 'a group epoch is a non-negative integer';
  if (!isLeafIndex(ownIndex)) return `a leaf index is an integer from 0 to ${SFRAME_MLS_MAX_SENDER_INDEX}`;
  if (!(baseKey instanceof Uint8Array) || baseKey.length !== SFRAME_MLS_BASE_KEY_BYTES) return `a group base key is ${SFRAME_MLS_BASE_KEY_BYTES} bytes`;
  if (!Array.isArray(senders) || senders.length === 0 || senders.length > MAX_GROUP_SENDERS) return `a group epoch lists 1 to ${MAX_GROUP_SENDERS} senders`;
  const seen = new Set<number>();
  for (const sender of senders as unknown[]) {
    const { index, userId } = (typeof sender === 'object' && sender !== null ? sender : {}) as Partial<Record<'index' | 'userId', unknown>>;
    if (!isLeafIndex(index) || seen.has(index)) return 'each group sender has a leaf index of its own';
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) return 'each group sender has a user id';
    seen.add(index);
  }
  return undefined;
}

function zero(message: GroupKeysMessage): void {
  const { baseKey } = message as { baseKey: unknown };
  if (baseKey instanceof Uint8Array) baseKey.fill(0);
}

/** Puts the group ring's epochs into the report (the previous epoch's grace ends on a timer). */
export function syncGroupReport(state: CryptoState): void {
  const ring = state.group?.ring;
  if (ring === undefined) return;
  const sendEpoch = ring.sendEpoch;
  state.report.sendEpoch = sendEpoch === undefined ? null : Number(sendEpoch);
  state.report.epochsHeld = ring.heldEpochs.map(Number);
}

/** The worker's group state, made by the first 'group-keys' message: the mode is then fixed. */
function claimGroup(state: CryptoState, options: GroupKeyRingOptions): GroupState {
  if (state.group !== undefined) return state.group;
  const group = { ring: new GroupKeyRing(options), senders: new SenderCounts(), keysChanged: new Set<() => void>() };
  state.group = group;
  state.keysClaimed = true;
  state.report.mode = 'group';
  state.report.senders = group.senders.list;
  return group;
}

/**
 * Takes one epoch of a group call (and ownership of its base key, zeroed once the senders' keys
 * are derived). Refused, with the key zeroed: a malformed message, keys for a worker that serves a
 * 1:1 call, anything after the wipe, an epoch not newer than one already taken. Sending moves to
 * the new epoch as soon as it is derived; video senders are then asked for a key frame.
 */
export async function loadGroupKeys(state: CryptoState, message: GroupKeysMessage, hooks: CallKeyHooks, options: GroupKeyRingOptions = {}): Promise<void> {
  const problem = state.report.keysWiped
    ? 'they arrived after the wipe'
    : state.report.mode === 'pair'
      ? 'this worker serves a 1:1 call'
      : groupKeysProblem(message);
  if (problem !== undefined) {
    zero(message);
    hooks.post({ type: 'problem', message: `group keys refused: ${problem}` });
    return;
  }
  const group = claimGroup(state, options);
  const { epoch, ownIndex, baseKey, senders } = message;
  try {
    await group.ring.install({ epoch: BigInt(epoch), ownIndex, baseKey, senders });
  } catch {
    hooks.post({ type: 'problem', message: `group keys refused: epoch ${epoch} is not newer than the keys the worker has, or its keys could not be derived` });
    return;
  }
  // Read afresh: a wipe may have come while the keys were derived.
  if (isWiped(state)) return;
  group.senders.update(senders, ownIndex);
  state.report.keysLoaded = true;
  syncGroupReport(state);
  hooks.onSendGeneration();
  notifyKeysChanged(group);
}

// A function, not the field: the flag changes across awaits, which narrowing would not see.
function isWiped(state: CryptoState): boolean {
  return state.report.keysWiped;
}
