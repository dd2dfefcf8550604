import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, toHex, utf8Bytes } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair, signAs, verifyAs, type IdentityKeyPair } from '../../../shared/crypto/identity';
import { loadSodium } from '../../../shared/crypto/sodium';
import type { SecretSealer } from '../ports';
import { KeystoreError, keystorePath, keystoreStatus, openIdentity, resealIdentity, saveIdentity, type IdentityRecord, type KeystoreErrorCode } from './keystore';
import { keystoreChecksum, type KeystoreFile } from './keystore-file';
import { createPassphraseSealer, PWHASH_INTERACTIVE } from './passphrase-sealer';
import { SealerError } from './sealer-error';

const posix = process.platform !== 'win32';
const PASSPHRASE = 'a long enough passphrase';

let root: string;
let dataDir: string;
let keyPair: IdentityKeyPair;

function sealer(passphrase = PASSPHRASE): SecretSealer {
  return createPassphraseSealer(passphrase, PWHASH_INTERACTIVE);
}

/** Stands in for Electron safeStorage: a secretbox under a key held by "the OS". */
async function osSealer(options: { failOpen?: Error } = {}): Promise<SecretSealer> {
  const sodium = await loadSodium();
  const key = sodium.crypto_secretbox_keygen();
  return {
    kind: 'os-keychain',
    backend: 'test-keychain',
    seal: (plaintext) => {
      const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
      return Promise.resolve(new Uint8Array([...nonce, ...sodium.crypto_secretbox_easy(plaintext, nonce, key)]));
    },
    open: (sealed) => {
      if (options.failOpen !== undefined) return Promise.reject(options.failOpen);
      const nonce = sealed.subarray(0, sodium.crypto_secretbox_NONCEBYTES);
      return Promise.resolve(sodium.crypto_secretbox_open_easy(sealed.subarray(nonce.length), nonce, key));
    },
  };
}

function record(pair: IdentityKeyPair = keyPair): IdentityRecord {
  return { userId: 'alice@corp.example', displayName: 'Alice Example', serverUrl: 'wss://sealcall.corp.example/ws', keyPair: pair };
}

async function codeOf(promise: Promise<unknown>): Promise<KeystoreErrorCode | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (error instanceof KeystoreError) return error.code;
    throw error;
  }
}

async function readKeystoreJson(): Promise<KeystoreFile> {
  return JSON.parse(await readFile(keystorePath(dataDir), 'utf8')) as KeystoreFile;
}

/** Rewrites the file with a valid checksum, as a bug (or a careful attacker) would. */
async function rewriteConsistently(edit: (file: KeystoreFile) => KeystoreFile): Promise<void> {
  const { checksum: _old, ...fields } = edit(await readKeystoreJson());
  await writeFile(keystorePath(dataDir), JSON.stringify({ ...fields, checksum: await keystoreChecksum(fields) }));
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sealcall-keystore-'));
  dataDir = path.join(root, 'data');
  keyPair = await generateIdentityKeyPair();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('identity keystore', () => {
  it('reports absent, and refuses to open what is not there', async () => {
    expect(await keystoreStatus(dataDir)).toEqual({ state: 'absent' });
    expect(await codeOf(openIdentity(dataDir, sealer()))).toBe('missing');
  });

  it('round-trips with the passphrase sealer, and the opened key signs', async () => {
    const saved = await saveIdentity(dataDir, record(), sealer());
    expect(saved).toMatchObject({ sealer: 'passphrase', userId: 'alice@corp.example', displayName: 'Alice Example' });
    const opened = await openIdentity(dataDir, sealer());
    expect(opened.keyPair.secretKey).toEqual(keyPair.secretKey);
    expect(opened.keyPair.publicKey).toEqual(keyPair.publicKey);
    expect(opened).toMatchObject({ userId: 'alice@corp.example', serverUrl: 'wss://sealcall.corp.example/ws', createdAt: saved.createdAt });
    const message = utf8Bytes('challenge');
    const signature = await signAs(opened.keyPair.secretKey, 'server-auth', message);
    expect(await verifyAs(keyPair.publicKey, 'server-auth', message, signature)).toBe(true);
  });

  it('round-trips with an OS-keychain sealer', async () => {
    const os = await osSealer();
    await saveIdentity(dataDir, record(), os);
    expect((await openIdentity(dataDir, os)).keyPair.secretKey).toEqual(keyPair.secretKey);
  });

  it('gives the status from the clear part, with no sealer and no passphrase', async () => {
    await saveIdentity(dataDir, record(), sealer());
    const status = await keystoreStatus(dataDir);
    expect(status).toMatchObject({ state: 'present', sealer: 'passphrase', userId: 'alice@corp.example', displayName: 'Alice Example' });
    expect(status.state === 'present' && status.publicKey).toEqual(keyPair.publicKey);
  });

  it('writes the file 0600, creates a missing data directory 0700, and leaves an existing one alone', async () => {
    await saveIdentity(dataDir, record(), sealer());
    if (posix) {
      expect((await stat(keystorePath(dataDir))).mode & 0o777).toBe(0o600);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    }
    const shared = path.join(root, 'shared-data');
    await mkdir(shared);
    if (posix) await chmod(shared, 0o750);
    await writeFile(path.join(shared, 'settings.json'), 'keep me');
    await saveIdentity(shared, record(), sealer());
    if (posix) expect((await stat(shared)).mode & 0o777).toBe(0o750);
    expect(await readFile(path.join(shared, 'settings.json'), 'utf8')).toBe('keep me');
    expect((await readdir(shared)).sort()).toEqual(['identity.keystore', 'settings.json']);
  });

  it('never writes the secret key in any encoding', async () => {
    for (const chosen of [sealer(), await osSealer()]) {
      const dir = path.join(root, chosen.kind);
      await saveIdentity(dir, record(), chosen);
      const bytes = await readFile(keystorePath(dir));
      const text = bytes.toString('latin1');
      // The last 32 bytes of libsodium's secret key are the public key, which is stored in the clear.
      const seed = keyPair.secretKey.subarray(0, 32);
      for (const secret of [seed, keyPair.secretKey]) {
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
        for (const encoded of [toHex(secret), toBase64Url(secret), Buffer.from(secret).toString('base64')]) {
          expect(text.toLowerCase().includes(encoded.toLowerCase().slice(0, 40))).toBe(false);
        }
      }
    }
  });

  it('says wrong-passphrase for a wrong passphrase, and leaves the file untouched', async () => {
    await saveIdentity(dataDir, record(), sealer());
    const before = await readFile(keystorePath(dataDir));
    expect(await codeOf(openIdentity(dataDir, sealer('not the passphrase')))).toBe('wrong-passphrase');
    expect(await readFile(keystorePath(dataDir))).toEqual(before);
  });

  describe('a damaged file is corrupt, each way, and never replaced', () => {
    beforeEach(async () => {
      await saveIdentity(dataDir, record(), sealer());
    });

    async function expectCorrupt(): Promise<void> {
      const before = await readFile(keystorePath(dataDir));
      const status = await keystoreStatus(dataDir);
      expect(status.state).toBe('corrupt');
      expect(await codeOf(openIdentity(dataDir, sealer()))).toBe('corrupt');
      expect(await readFile(keystorePath(dataDir))).toEqual(before);
    }

    it('a flipped byte in the sealed part', async () => {
      const file = await readKeystoreJson();
      const sealed = fromBase64Url(file.sealedSecretKey);
      sealed[60] = (sealed[60] ?? 0) ^ 0x10;
      await writeFile(keystorePath(dataDir), JSON.stringify({ ...file, sealedSecretKey: toBase64Url(sealed) }));
      await expectCorrupt();
    });

    it('a flipped byte in the sealed part, even with the file checksum recomputed', async () => {
      await rewriteConsistently((file) => {
        const sealed = fromBase64Url(file.sealedSecretKey);
        sealed[60] = (sealed[60] ?? 0) ^ 0x10;
        return { ...file, sealedSecretKey: toBase64Url(sealed) };
      });
      // The clear part is consistent, so only opening can find the damage.
      expect((await keystoreStatus(dataDir)).state).toBe('present');
      expect(await codeOf(openIdentity(dataDir, sealer()))).toBe('corrupt');
    });

    it('a truncated file', async () => {
      const bytes = await readFile(keystorePath(dataDir));
      await writeFile(keystorePath(dataDir), bytes.subarray(0, bytes.length / 2));
      await expectCorrupt();
    });

    it('invalid JSON', async () => {
      await writeFile(keystorePath(dataDir), 'not json at all');
      await expectCorrupt();
    });

    it('a field of the wrong shape, named in the reason', async () => {
      await writeFile(keystorePath(dataDir), JSON.stringify({ ...(await readKeystoreJson()), publicKey: 'short' }));
      await expectCorrupt();
      const status = await keystoreStatus(dataDir);
      expect(status.state === 'corrupt' && status.reason).toContain('"publicKey"');
    });

    it('a public key that is not the sealed key’s (checksum mismatch)', async () => {
      const other = await generateIdentityKeyPair();
      await writeFile(keystorePath(dataDir), JSON.stringify({ ...(await readKeystoreJson()), publicKey: toBase64Url(other.publicKey) }));
      await expectCorrupt();
    });

    it('a public key that is not the sealed key’s (checksum recomputed)', async () => {
      const other = await generateIdentityKeyPair();
      await rewriteConsistently((file) => ({ ...file, publicKey: toBase64Url(other.publicKey) }));
      const error: unknown = await openIdentity(dataDir, sealer()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeystoreError);
      expect(error).toMatchObject({ code: 'corrupt', detail: 'the sealed key does not match the public key stored with it' });
      expect((error as KeystoreError).message).toMatch(/damaged.*Restore it from backup.*new enrollment link.*safety number/);
    });
  });

  it('says the file needs a newer Sealcall rather than calling it damaged', async () => {
    await saveIdentity(dataDir, record(), sealer());
    await writeFile(keystorePath(dataDir), JSON.stringify({ ...(await readKeystoreJson()), version: 2 }));
    expect((await keystoreStatus(dataDir)).state).toBe('unsupported-version');
    expect(await codeOf(openIdentity(dataDir, sealer()))).toBe('unsupported-version');
  });

  it.skipIf(!posix || process.getuid?.() === 0)('reports a file it may not read as unreadable, not damaged', async () => {
    await saveIdentity(dataDir, record(), sealer());
    await chmod(keystorePath(dataDir), 0o000);
    expect((await keystoreStatus(dataDir)).state).toBe('unreadable');
    expect(await codeOf(openIdentity(dataDir, sealer()))).toBe('unreadable');
  });

  it('reports a directory in place of the file as unreadable', async () => {
    await mkdir(keystorePath(dataDir), { recursive: true });
    expect((await keystoreStatus(dataDir)).state).toBe('unreadable');
    expect(await codeOf(openIdentity(dataDir, sealer()))).toBe('unreadable');
  });

  it('says sealer-mismatch, both ways, with what to do', async () => {
    const os = await osSealer();
    await saveIdentity(dataDir, record(), os);
    const toPassphrase: unknown = await openIdentity(dataDir, sealer()).catch((caught: unknown) => caught);
    expect(toPassphrase).toMatchObject({ code: 'sealer-mismatch' });
    expect((toPassphrase as Error).message).toMatch(/system keychain/);

    const other = path.join(root, 'other');
    await saveIdentity(other, record(), sealer());
    const toOs: unknown = await openIdentity(other, os).catch((caught: unknown) => caught);
    expect(toOs).toMatchObject({ code: 'sealer-mismatch' });
    expect((toOs as Error).message).toMatch(/passphrase/);
  });

  it('says sealer-unavailable when the keychain fails to open an intact file', async () => {
    const working = await osSealer();
    await saveIdentity(dataDir, record(), working);
    const broken: SecretSealer = { ...working, open: () => Promise.reject(new Error('Error while decrypting the ciphertext')) };
    expect(await codeOf(openIdentity(dataDir, broken))).toBe('sealer-unavailable');
    const locked: SecretSealer = { ...working, open: () => Promise.reject(new SealerError('unavailable', 'keychain locked')) };
    expect(await codeOf(openIdentity(dataDir, locked))).toBe('sealer-unavailable');
  });

  it('leaves the old key intact when re-sealing "crashes" between write and rename', async () => {
    await saveIdentity(dataDir, record(), sealer());
    const before = await readFile(keystorePath(dataDir));
    const crash = resealIdentity(dataDir, sealer(), sealer('a brand new passphrase'), {
      beforeRename: () => {
        throw new Error('simulated crash');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    expect(await readFile(keystorePath(dataDir))).toEqual(before);
    expect((await openIdentity(dataDir, sealer())).keyPair.secretKey).toEqual(keyPair.secretKey);
    expect(await readdir(dataDir)).toEqual(['identity.keystore']);
  });

  it('re-seals the same key under a new passphrase', async () => {
    await saveIdentity(dataDir, record(), sealer());
    await resealIdentity(dataDir, sealer(), sealer('a brand new passphrase'));
    expect(await codeOf(openIdentity(dataDir, sealer()))).toBe('wrong-passphrase');
    expect((await openIdentity(dataDir, sealer('a brand new passphrase'))).keyPair.secretKey).toEqual(keyPair.secretKey);
    // Same key: no backup sealed under the old (perhaps compromised) passphrase is left behind.
    expect(await readdir(dataDir)).toEqual(['identity.keystore']);
  });

  it('will not replace an existing key unless asked, and keeps the replaced one', async () => {
    await saveIdentity(dataDir, record(), sealer());
    const before = await readFile(keystorePath(dataDir));
    const newcomer = await generateIdentityKeyPair();
    expect(await codeOf(saveIdentity(dataDir, record(newcomer), sealer()))).toBe('exists');
    expect(await readFile(keystorePath(dataDir))).toEqual(before);

    await saveIdentity(dataDir, record(newcomer), sealer(), { overwrite: true });
    expect((await openIdentity(dataDir, sealer())).keyPair.publicKey).toEqual(newcomer.publicKey);
    const backups = (await readdir(dataDir)).filter((name) => name.startsWith('identity.keystore.replaced-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(path.join(dataDir, backups[0] ?? ''))).toEqual(before);
    if (posix) expect((await stat(path.join(dataDir, backups[0] ?? ''))).mode & 0o777).toBe(0o600);
  });

  it('replaces a damaged keystore only on request, keeping a copy, and not at all if sealing fails', async () => {
    await mkdir(dataDir);
    await writeFile(keystorePath(dataDir), 'damaged', { mode: 0o600 });
    expect(await codeOf(saveIdentity(dataDir, record(), sealer()))).toBe('exists');
    const failing: SecretSealer = { kind: 'os-keychain', backend: 'x', seal: () => Promise.reject(new Error('no keychain')), open: () => Promise.reject(new Error('no')) };
    expect(await codeOf(saveIdentity(dataDir, record(), failing, { overwrite: true }))).toBe('sealer-unavailable');
    expect(await readdir(dataDir)).toEqual(['identity.keystore']);
    await saveIdentity(dataDir, record(), sealer(), { overwrite: true });
    expect((await openIdentity(dataDir, sealer())).keyPair.publicKey).toEqual(keyPair.publicKey);
    const names = await readdir(dataDir);
    const backup = names.find((name) => name.startsWith('identity.keystore.replaced-'));
    expect(backup !== undefined && (await readFile(path.join(dataDir, backup), 'utf8'))).toBe('damaged');
  });

  it('refuses a key pair whose halves do not match', async () => {
    const other = await generateIdentityKeyPair();
    expect(await codeOf(saveIdentity(dataDir, record({ publicKey: other.publicKey, secretKey: keyPair.secretKey }), sealer()))).toBe('invalid-identity');
    expect(await codeOf(saveIdentity(dataDir, { ...record(), userId: 'Not A User Id' }, sealer()))).toBe('invalid-identity');
    expect(await keystoreStatus(dataDir)).toEqual({ state: 'absent' });
  });

  it('derives the public half from the seed: a foreign seed behind a copied public half is refused', async () => {
    const other = await generateIdentityKeyPair();
    const chimera = new Uint8Array([...other.secretKey.subarray(0, 32), ...keyPair.publicKey]);
    expect(await codeOf(saveIdentity(dataDir, record({ publicKey: keyPair.publicKey, secretKey: chimera }), sealer()))).toBe('invalid-identity');
    expect(await keystoreStatus(dataDir)).toEqual({ state: 'absent' });

    // The same chimera sealed into an otherwise consistent file: opening must not hand it out.
    await saveIdentity(dataDir, record(), sealer());
    const sealed = await sealer().seal(chimera);
    await rewriteConsistently((file) => ({ ...file, sealedSecretKey: toBase64Url(sealed) }));
    const error: unknown = await openIdentity(dataDir, sealer()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'corrupt', detail: 'the sealed key does not match the public key stored with it' });
  });

  it('refuses a sealer that hands the key back unprotected, or cannot open its own seal', async () => {
    const passthrough: SecretSealer = { kind: 'os-keychain', backend: 'basic_text', seal: (p) => Promise.resolve(p.slice()), open: (s) => Promise.resolve(s.slice()) };
    expect(await codeOf(saveIdentity(dataDir, record(), passthrough))).toBe('sealer-unavailable');
    const working = await osSealer();
    const forgetful: SecretSealer = { ...working, open: () => Promise.reject(new Error('key lost')) };
    expect(await codeOf(saveIdentity(dataDir, record(), forgetful))).toBe('sealer-unavailable');
    expect(await keystoreStatus(dataDir)).toEqual({ state: 'absent' });
  });
});
