/**
 * Turning a running 1:1 call into a group call (docs/group-calls.md, "Adding people to a 1:1
 * call"). The owner's signed group invite names the 1:1 call it upgrades and carries a tag that
 * only the two ends of that call can compute: a MAC keyed by a secret derived from the call's
 * handshake keys and transcript. The other end joins without being rung only if its live call has
 * that id, that peer, and yields that tag. The server saw the handshake's public messages but
 * never its keys, so it can neither make the tag nor carry one into another call.
 */
import { encodeFields, utf8Bytes } from './bytes';
import { CryptoError } from './errors';
import { loadSodium } from './sodium';

export const CALL_UPGRADE_TAG_BYTES = 32;
const KEY_BYTES = 32;
const KEY_LABEL = 'sealcall/v1/call-upgrade/key';
const TAG_LABEL = 'sealcall/v1/call-upgrade/tag';

/** The 1:1 call's secrets as each end holds them, named by direction so both ends agree. */
export interface UpgradeKeyInput {
  readonly callerToCallee: Uint8Array;
  readonly calleeToCaller: Uint8Array;
  readonly transcriptHash: Uint8Array;
}

/**
 * One key per 1:1 call for upgrade tags. A one-way hash of the call's keys under its own label:
 * nothing of the 1:1 call's media keys can be learnt from it, and it keys nothing but tags.
 */
export async function callUpgradeKey(input: UpgradeKeyInput): Promise<Uint8Array> {
  const sodium = await loadSodium();
  if (input.callerToCallee.length !== 32 || input.calleeToCaller.length !== 32) {
    throw new CryptoError('invalid-input', "a call's keys are 32 bytes each");
  }
  return sodium.crypto_generichash(
    KEY_BYTES,
    encodeFields([utf8Bytes(KEY_LABEL), input.transcriptHash, input.callerToCallee, input.calleeToCaller]),
    null,
  );
}

/** What an upgrade tag binds: which 1:1 call, which group, who upgrades it, and who the other end is. */
export interface UpgradeBinding {
  readonly callId: string;
  readonly groupId: string;
  readonly owner: string;
  readonly peer: string;
}

export async function callUpgradeTag(key: Uint8Array, binding: UpgradeBinding): Promise<Uint8Array> {
  const sodium = await loadSodium();
  if (key.length !== KEY_BYTES) throw new CryptoError('invalid-input', 'a call-upgrade key is 32 bytes');
  return sodium.crypto_generichash(
    CALL_UPGRADE_TAG_BYTES,
    encodeFields([utf8Bytes(TAG_LABEL), utf8Bytes(binding.callId), utf8Bytes(binding.groupId), utf8Bytes(binding.owner), utf8Bytes(binding.peer)]),
    key,
  );
}
