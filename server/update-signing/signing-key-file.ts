import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { loadSodium } from '../../shared/crypto/sodium';
import { encodeUpdatePublicKey } from '../../shared/update/update-signature';

/*
 * The company's update-signing key on disk: the Ed25519 secret key sealed under a passphrase, so
 * that a copy of the file alone (a backup, a stolen USB stick) signs nothing. Argon2id stretches
 * the passphrase; XSalsa20-Poly1305 seals the key. The same construction as the app's own
 * passphrase keystore, in a JSON file an admin can recognise. docs/deployment.md says to keep it
 * offline.
 */

const FORMAT = 'sealcall-update-signing-key';
const KEY_BYTES = 32;

/** Argon2id cost when sealing: libsodium's "moderate" (256 MiB, about a second), as for the app's keystore. */
export const SEALING_COST = Object.freeze({ opslimit: 3, memlimit: 256 * 1024 * 1024 });
// Opening trusts the cost written in the file: bounded, so a planted file cannot stall the signer
// for minutes or ask for gigabytes.
const OPSLIMIT_RANGE = [2, 10] as const;
const MEMLIMIT_RANGE = [64 * 1024 * 1024, 1024 * 1024 * 1024] as const;

export const MIN_SIGNING_PASSPHRASE_LENGTH = 12;

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

const base64 = z.string().max(256).regex(/^[A-Za-z0-9+/]*={0,2}$/);
const keyFileSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  publicKey: base64,
  argon2id: z.strictObject({ opslimit: z.number().int(), memlimit: z.number().int(), salt: base64 }),
  nonce: base64,
  sealedSecretKey: base64,
});

export interface SigningKey {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  /** The public half as `updatePublicKey` in the enterprise config. */
  readonly publicKeyText: string;
}

function inRange(value: number, [min, max]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function checkPassphrase(passphrase: string): Uint8Array {
  const normalized = passphrase.normalize('NFC');
  if (Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(normalized)).length < MIN_SIGNING_PASSPHRASE_LENGTH || normalized.trim() === '') {
    throw new SigningKeyError(`the passphrase must have at least ${MIN_SIGNING_PASSPHRASE_LENGTH} characters`);
  }
  return new TextEncoder().encode(normalized);
}

/** A new key pair, sealed; the file is created only if it does not exist, readable by its owner alone. */
export async function createSigningKeyFile(file: string, passphrase: string, cost = SEALING_COST): Promise<SigningKey> {
  const secret = checkPassphrase(passphrase);
  const sodium = await loadSodium();
  const pair = sodium.crypto_sign_keypair();
  const salt = sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES);
  const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
  const key = sodium.crypto_pwhash(KEY_BYTES, secret, salt, cost.opslimit, cost.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  const b64 = (bytes: Uint8Array): string => sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
  const document = {
    format: FORMAT,
    version: 1,
    publicKey: b64(pair.publicKey),
    argon2id: { opslimit: cost.opslimit, memlimit: cost.memlimit, salt: b64(salt) },
    nonce: b64(nonce),
    sealedSecretKey: b64(sodium.crypto_secretbox_easy(pair.privateKey, nonce, key)),
  };
  sodium.memzero(key);
  secret.fill(0);
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    sodium.memzero(pair.privateKey);
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    throw new SigningKeyError(code === 'EEXIST' ? `${file} already exists; it is not overwritten (a lost key cannot be recovered)` : `cannot create ${file} (${code || 'unknown error'})`);
  }
  try {
    await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { publicKey: pair.publicKey, secretKey: pair.privateKey, publicKeyText: await encodeUpdatePublicKey(pair.publicKey) };
}

/** Opens a sealed key file with its passphrase. The caller wipes `secretKey` when done. */
export async function openSigningKeyFile(file: string, passphrase: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
    throw new SigningKeyError(`cannot read the key file ${file} (${code})`);
  }
  let parsed: z.infer<typeof keyFileSchema>;
  try {
    parsed = keyFileSchema.parse(JSON.parse(text));
  } catch {
    // Never echo the parser's message: it could quote the file.
    throw new SigningKeyError(`${file} is not a Sealcall update-signing key (made by 'sealcall-server update-key')`);
  }
  const { opslimit, memlimit } = parsed.argon2id;
  if (!inRange(opslimit, OPSLIMIT_RANGE) || !inRange(memlimit, MEMLIMIT_RANGE)) throw new SigningKeyError(`${file} is damaged: its Argon2id cost is out of range`);
  const sodium = await loadSodium();
  const bytes = (field: string): Uint8Array => {
    try {
      return sodium.from_base64(field, sodium.base64_variants.ORIGINAL);
    } catch {
      throw new SigningKeyError(`${file} is damaged: a field is not base64`);
    }
  };
  const publicKey = bytes(parsed.publicKey);
  const salt = bytes(parsed.argon2id.salt);
  const nonce = bytes(parsed.nonce);
  if (publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES || salt.length !== sodium.crypto_pwhash_SALTBYTES || nonce.length !== sodium.crypto_secretbox_NONCEBYTES) {
    throw new SigningKeyError(`${file} is damaged: a field has the wrong length`);
  }
  const secret = checkPassphrase(passphrase);
  const key = sodium.crypto_pwhash(KEY_BYTES, secret, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  secret.fill(0);
  let secretKey: Uint8Array;
  try {
    secretKey = sodium.crypto_secretbox_open_easy(bytes(parsed.sealedSecretKey), nonce, key);
  } catch {
    throw new SigningKeyError(`the passphrase does not open ${file} (or the file is damaged)`);
  } finally {
    sodium.memzero(key);
  }
  // The public key is stored in the clear for reading without the passphrase; it must be the
  // sealed secret key's own, or a swapped field would sign under a key nobody pinned.
  if (secretKey.length !== sodium.crypto_sign_SECRETKEYBYTES || !sodium.memcmp(sodium.crypto_sign_ed25519_sk_to_pk(secretKey), publicKey)) {
    sodium.memzero(secretKey);
    throw new SigningKeyError(`${file} is damaged: its public key is not the sealed key's`);
  }
  return { publicKey, secretKey, publicKeyText: await encodeUpdatePublicKey(publicKey) };
}
