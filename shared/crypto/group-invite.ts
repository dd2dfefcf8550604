/**
 * A group call's signed invite: the owner's identity key signs who may be in the call. Members
 * accept an MLS Add only for a user a valid invite of the group names, so the server, which relays
 * the invite, cannot slip anyone in (docs/group-calls.md). The owner signs a longer list to add
 * someone mid-call; each list is checked on its own.
 */
import { encodeFields, uintToBytes, utf8Bytes } from './bytes';
import { CALL_UPGRADE_TAG_BYTES } from './call-upgrade';
import { CryptoError } from './errors';
import { signAs, verifyAs } from './identity';

/** Members of one group call, the owner included: a meeting over the SFU (docs/protocol.md, "Meetings over the SFU"). */
export const MAX_GROUP_MEMBERS = 50;
const MAX_ID_BYTES = 256;

export type GroupMedia = 'audio' | 'video';

export interface GroupInvite {
  readonly groupId: string;
  readonly owner: string;
  /** Everyone but the owner who may be in the call; order is kept as signed. */
  readonly invitees: readonly string[];
  readonly media: GroupMedia;
  /** Milliseconds since the epoch, when the owner signed. */
  readonly issuedAt: number;
  /**
   * Only on the invite that turns a running 1:1 call into this group call: that call's id and a
   * tag only its two ends can compute (./call-upgrade.ts). It lets the other end join unrung.
   */
  readonly upgrade?: GroupInviteUpgrade;
}

export interface GroupInviteUpgrade {
  readonly callId: string;
  readonly tag: Uint8Array;
}

function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || utf8Bytes(value).length > MAX_ID_BYTES) {
    throw new CryptoError('invalid-input', `a group invite's ${what} is a non-empty string of at most ${MAX_ID_BYTES} bytes`);
  }
  return value;
}

/** The signed bytes; refuses an invite no honest owner would sign. */
export function encodeGroupInvite(invite: GroupInvite): Uint8Array {
  const groupId = checkId(invite.groupId, 'group id');
  const owner = checkId(invite.owner, 'owner');
  if (!Array.isArray(invite.invitees) || invite.invitees.length === 0 || invite.invitees.length > MAX_GROUP_MEMBERS - 1) {
    throw new CryptoError('invalid-input', `a group invite names 1 to ${MAX_GROUP_MEMBERS - 1} invitees`);
  }
  const invitees = invite.invitees.map((id) => checkId(id, 'invitee'));
  if (new Set([owner, ...invitees]).size !== invitees.length + 1) {
    throw new CryptoError('invalid-input', 'a group invite names each member once, the owner not among the invitees');
  }
  // Typed, but it may come straight off the wire.
  const media: unknown = invite.media;
  if (media !== 'audio' && media !== 'video') throw new CryptoError('invalid-input', 'a group invite is for audio or video');
  if (!Number.isSafeInteger(invite.issuedAt) || invite.issuedAt < 0) {
    throw new CryptoError('invalid-input', "a group invite's issue time is a non-negative integer");
  }
  const fields = [
    utf8Bytes(groupId),
    utf8Bytes(owner),
    encodeFields(invitees.map((id) => utf8Bytes(id))),
    utf8Bytes(media),
    uintToBytes(BigInt(invite.issuedAt), 8),
  ];
  // A sixth field only when present: an invite without it encodes exactly as before.
  if (invite.upgrade !== undefined) fields.push(encodeUpgrade(invite.upgrade));
  return encodeFields(fields);
}

function encodeUpgrade(upgrade: GroupInviteUpgrade): Uint8Array {
  const callId = checkId(upgrade.callId, 'upgraded call id');
  if (!(upgrade.tag instanceof Uint8Array) || upgrade.tag.length !== CALL_UPGRADE_TAG_BYTES) {
    throw new CryptoError('invalid-input', `a group invite's upgrade tag is ${CALL_UPGRADE_TAG_BYTES} bytes`);
  }
  return encodeFields([utf8Bytes('upgrade'), utf8Bytes(callId), upgrade.tag]);
}

export function signGroupInvite(ownerSecretKey: Uint8Array, invite: GroupInvite): Promise<Uint8Array> {
  return signAs(ownerSecretKey, 'group-invite', encodeGroupInvite(invite));
}

/** False for a bad signature or an invite that could not have been signed. */
export async function verifyGroupInvite(ownerPublicKey: Uint8Array, invite: GroupInvite, signature: Uint8Array): Promise<boolean> {
  let message: Uint8Array;
  try {
    message = encodeGroupInvite(invite);
  } catch {
    return false;
  }
  return verifyAs(ownerPublicKey, 'group-invite', message, signature);
}
