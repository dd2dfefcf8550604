/**
 * SFrame keys from an MLS group, RFC 9605 §5.2: one base key per MLS epoch from the MLS exporter,
 * and per sender a KID of its own, so that §4.4.2 (deriveSFrameKeyMaterial) turns the one base key
 * into a different sframe_key and sframe_salt for every (epoch, sender). The RFC has no per-sender
 * base key: the KID in the §4.4.2 labels is what separates senders.
 *
 * KID = (context << (S + E)) + (sender_index << E) + (epoch mod 2^E), with context always 0 here,
 * so the value of S does not change any KID and a receiver reads sender_index = KID >> E. E is 4:
 * a receiver holds at most the current and the previous epoch (see docs/group-calls.md), far inside
 * the 16 epochs four bits tell apart, and the KIDs of an 8-member group stay below 128 (one header
 * byte). Sender indexes are MLS leaf indexes, capped at 2^16 - 1 (an SFU room, not just the mesh).
 */
import { CryptoError } from './errors';
import { deriveSFrameKeyMaterial, deriveSFrameSecret, MEDIA_SUITE, type SFrameCipherSuite, type SFrameKeyMaterial, type SFrameSecret } from './sframe';

/** The exporter label of RFC 9605 §5.2; the exporter context is empty. */
export const SFRAME_MLS_EXPORTER_LABEL = 'SFrame 1.0 Base Key';
/** AEAD.Nk of the media suite: the exporter's output length. */
export const SFRAME_MLS_BASE_KEY_BYTES = MEDIA_SUITE.keyBytes;
/** E of RFC 9605 §5.2. */
export const SFRAME_MLS_EPOCH_BITS = 4;
/** The highest sender (leaf) index a KID may carry. */
export const SFRAME_MLS_MAX_SENDER_INDEX = 0xffff;

const EPOCH_MASK = (1n << BigInt(SFRAME_MLS_EPOCH_BITS)) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

export interface GroupKidParts {
  /** The epoch's low E bits. */
  readonly epochBits: number;
  readonly senderIndex: number;
}

function checkSenderIndex(senderIndex: number): void {
  if (!Number.isSafeInteger(senderIndex) || senderIndex < 0 || senderIndex > SFRAME_MLS_MAX_SENDER_INDEX) {
    throw new CryptoError('invalid-input', `an SFrame sender index is an integer from 0 to ${SFRAME_MLS_MAX_SENDER_INDEX}`);
  }
}

function checkEpoch(epoch: bigint): void {
  if (typeof epoch !== 'bigint' || epoch < 0n || epoch > MAX_U64) {
    throw new CryptoError('invalid-input', 'an MLS epoch is a 64-bit unsigned integer');
  }
}

/** The KID that `senderIndex` sends under in `epoch`. */
export function groupKid(epoch: bigint, senderIndex: number): bigint {
  checkEpoch(epoch);
  checkSenderIndex(senderIndex);
  return (BigInt(senderIndex) << BigInt(SFRAME_MLS_EPOCH_BITS)) + (epoch & EPOCH_MASK);
}

/**
 * A received KID's sender and epoch bits. The KID is not authenticated until a frame opens under
 * it, so this only says which key to try; a KID with context bits, or a sender index past the cap,
 * names no key of ours and is refused as unknown.
 */
export function parseGroupKid(kid: bigint): GroupKidParts {
  if (typeof kid !== 'bigint' || kid < 0n || kid > MAX_U64) {
    throw new CryptoError('invalid-input', 'an SFrame KID is a 64-bit unsigned integer');
  }
  const senderIndex = kid >> BigInt(SFRAME_MLS_EPOCH_BITS);
  if (senderIndex > BigInt(SFRAME_MLS_MAX_SENDER_INDEX)) {
    throw new CryptoError('sframe-unknown-kid', `SFrame KID ${kid} is not a group member's KID`);
  }
  return { epochBits: Number(kid & EPOCH_MASK), senderIndex: Number(senderIndex) };
}

/** Whether a KID's epoch bits are those of `epoch`. */
export function kidMatchesEpoch(parts: GroupKidParts, epoch: bigint): boolean {
  return BigInt(parts.epochBits) === (epoch & EPOCH_MASK);
}

function checkBaseKey(baseKey: Uint8Array): void {
  if (!(baseKey instanceof Uint8Array) || baseKey.length !== SFRAME_MLS_BASE_KEY_BYTES) {
    throw new CryptoError('invalid-key', `an MLS-exported SFrame base key is ${SFRAME_MLS_BASE_KEY_BYTES} bytes`);
  }
}

/** sframe_key and sframe_salt of one sender in one epoch (RFC 9605 §5.2 then §4.4.2). */
export async function deriveGroupSenderKeyMaterial(
  baseKey: Uint8Array,
  epoch: bigint,
  senderIndex: number,
  suite: SFrameCipherSuite = MEDIA_SUITE,
): Promise<SFrameKeyMaterial> {
  checkBaseKey(baseKey);
  return deriveSFrameKeyMaterial(baseKey, groupKid(epoch, senderIndex), suite);
}

/** The media suite's secret for one sender in one epoch, its key inside libsodium's heap. */
export async function deriveGroupSenderSecret(baseKey: Uint8Array, epoch: bigint, senderIndex: number): Promise<SFrameSecret> {
  checkBaseKey(baseKey);
  return deriveSFrameSecret(baseKey, groupKid(epoch, senderIndex));
}
