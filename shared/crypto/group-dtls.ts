/**
 * A group call's per-pair DTLS binding (docs/protocol.md, "Signalling" under "Group calls"): a
 * member signs, for one peer, the certificate fingerprint its page will run DTLS with. The peer
 * holds every SDP of that pair to it, so the server, which relays the SDPs, cannot swap in its own
 * certificate and sit in the middle of the media.
 */
import { encodeFields, utf8Bytes } from './bytes';
import { normalizeFingerprint } from './dtls-fingerprint';
import { signAs, verifyAs } from './identity';

export interface GroupDtlsBinding {
  readonly groupId: string;
  /** The user id of the member the binding is for (the one who will check it), not the signer. */
  readonly peer: string;
  /** "sha-256 AB:CD:…"; normalised before it is signed or checked, as SDP spellings vary. */
  readonly fingerprint: string;
}

function encodeBinding(binding: GroupDtlsBinding): Uint8Array {
  return encodeFields([utf8Bytes(binding.groupId), utf8Bytes(binding.peer), utf8Bytes(normalizeFingerprint(binding.fingerprint))]);
}

export function signGroupDtls(secretKey: Uint8Array, binding: GroupDtlsBinding): Promise<Uint8Array> {
  return signAs(secretKey, 'group-dtls', encodeBinding(binding));
}

/** False for a bad signature or a fingerprint that is not one. */
export async function verifyGroupDtls(publicKey: Uint8Array, binding: GroupDtlsBinding, signature: Uint8Array): Promise<boolean> {
  let message: Uint8Array;
  try {
    message = encodeBinding(binding);
  } catch {
    return false;
  }
  return verifyAs(publicKey, 'group-dtls', message, signature);
}
