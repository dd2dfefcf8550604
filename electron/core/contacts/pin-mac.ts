import { encodeFields, fromBase64Url, toBase64Url, utf8Bytes } from '../../../shared/crypto/bytes';
import { loadSodium } from '../../../shared/crypto/sodium';
import { fileMacKey } from '../storage/file-mac-key';
import type { Pin } from './pinned-keys';

/*
 * The contacts file's MAC. Pins and verified marks are what catch a swapped key, so a file anyone
 * with the disk could rewrite would let them pre-approve their own key. The MAC key comes from the
 * identity key's seed through libsodium's KDF, inside the core; it is never stored, so forging a
 * file needs the sealed identity key, and a file from another identity (or a hand edit) fails.
 */

const KDF_CONTEXT = 'scpinmac'; // libsodium wants exactly 8 bytes
const LABEL = 'sealcall/v1/contacts-file-mac';

/** What the MAC covers: the whole document but the MAC. */
export interface PinDocument {
  /** When this device found its pins lost; null once the next directory has been pinned as lost. */
  lostAt: number | null;
  pins: Pin[];
}

/** The MAC key for this identity's contacts file. The caller wipes it when the session closes. */
export function pinMacKey(identitySecretKey: Uint8Array): Promise<Uint8Array> {
  return fileMacKey(identitySecretKey, KDF_CONTEXT);
}

/** A fixed encoding: arrays in a fixed order, so the MAC never depends on how JSON orders keys. */
function encode(document: PinDocument): Uint8Array {
  const pins = document.pins.map((pin) => [pin.userId, pin.identityKey, pin.firstSeenAt, pin.verifiedAt, pin.keyChanged, pin.changedAt, pin.pinLost]);
  return encodeFields([utf8Bytes(LABEL), utf8Bytes(JSON.stringify([document.lostAt, pins]))]);
}

export async function macPins(key: Uint8Array, document: PinDocument): Promise<string> {
  const sodium = await loadSodium();
  return toBase64Url(sodium.crypto_auth(encode(document), key));
}

export async function pinsMacValid(key: Uint8Array, document: PinDocument, mac: string): Promise<boolean> {
  const sodium = await loadSodium();
  let tag: Uint8Array;
  try {
    tag = fromBase64Url(mac);
  } catch {
    return false;
  }
  if (tag.length !== sodium.crypto_auth_BYTES) return false;
  return sodium.crypto_auth_verify(tag, encode(document), key);
}
