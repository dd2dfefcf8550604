import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../shared/crypto/sodium';
import { updateManifestSchema } from '../shared/update/update-manifest';
import { decodeUpdatePublicKey, verifyUpdateManifest } from '../shared/update/update-signature';
import { main } from './cli';
import type { CliIo } from './cli/io';
import { openSigningKeyFile } from './update-signing/signing-key-file';

/*
 * The two offline verbs, run in-process as the CLI entry point runs them, on real files with real
 * libsodium: the key is sealed at rest, and a signed release verifies under the printed key.
 */

const PASSPHRASE = 'a long offline signing passphrase';
let dir: string;
let passphraseFile: string;
let keyFile: string;
let publicKeyText: string;

async function run(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), env: {} };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function release(name: string, files: Record<string, string>, ymls: Record<string, string>): Promise<string> {
  const folder = path.join(dir, name);
  await mkdir(folder);
  for (const [file, content] of Object.entries({ ...files, ...ymls })) await writeFile(path.join(folder, file), content);
  return folder;
}

const LINUX_YML = `version: 1.2.0
files:
  - url: Sealcall-1.2.0.AppImage
    sha512: ignored-here
    size: 1
  - url: sealcall_1.2.0_amd64.deb
    sha512: ignored-here
    size: 1
path: Sealcall-1.2.0.AppImage
sha512: ignored-here
releaseDate: '2026-12-01T10:00:00.000Z'
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sealcall-update-key-'));
  passphraseFile = path.join(dir, 'passphrase.txt');
  keyFile = path.join(dir, 'update-key.json');
  await writeFile(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  const made = await run(['update-key', '--out', keyFile, '--passphrase-file', passphraseFile]);
  expect(made.code, made.err).toBe(0);
  const printed = /^"updatePublicKey": "([A-Za-z0-9+/]{43}=)"$/.exec(made.out);
  if (!printed?.[1]) throw new Error(`update-key printed ${made.out}`);
  publicKeyText = printed[1];
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sealcall-server update-key', () => {
  it('writes the secret key sealed under the passphrase, readable by its owner only, and prints the public key', async () => {
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const text = await readFile(keyFile, 'utf8');
    const key = await openSigningKeyFile(keyFile, PASSPHRASE);
    const sodium = await loadSodium();
    expect(key.publicKeyText).toBe(publicKeyText);
    // Neither half of the secret key appears in the file in any usual encoding.
    const seed = key.secretKey.subarray(0, 32);
    for (const encoded of [sodium.to_base64(key.secretKey, sodium.base64_variants.ORIGINAL), sodium.to_base64(seed, sodium.base64_variants.ORIGINAL), sodium.to_hex(seed), sodium.to_base64(seed)]) {
      expect(text).not.toContain(encoded.slice(0, 20));
    }
    expect(JSON.parse(text)).toMatchObject({ format: 'sealcall-update-signing-key', version: 1, publicKey: publicKeyText, argon2id: { opslimit: 3, memlimit: 268435456 } });
  }, 30_000);

  it('does not open with another passphrase', async () => {
    await expect(openSigningKeyFile(keyFile, 'another long passphrase')).rejects.toThrow(`the passphrase does not open ${keyFile} (or the file is damaged)`);
  }, 30_000);

  it('never overwrites a key, and refuses a short passphrase or none', async () => {
    const again = await run(['update-key', '--out', keyFile, '--passphrase-file', passphraseFile]);
    expect(again).toMatchObject({ code: 1, out: '' });
    expect(again.err).toBe(`sealcall-server update-key: ${keyFile} already exists; it is not overwritten (a lost key cannot be recovered)`);

    const short = path.join(dir, 'short.txt');
    await writeFile(short, 'too short\n');
    const weak = await run(['update-key', '--out', path.join(dir, 'weak.json'), '--passphrase-file', short]);
    expect(weak.code).toBe(1);
    expect(weak.err).toBe('sealcall-server update-key: the passphrase must have at least 12 characters');
    await expect(stat(path.join(dir, 'weak.json'))).rejects.toThrow();

    const none = await run(['update-key', '--out', path.join(dir, 'none.json')]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('needs --passphrase-file FILE');
  });
});

describe('the signing verbs in the CLI', () => {
  it('are listed, each with its --help', async () => {
    const overview = await run(['--help']);
    for (const verb of ['update-key', 'publish-update']) {
      expect(overview.out).toContain(`  ${verb}`);
      const help = await run([verb, '--help']);
      expect(help.code, verb).toBe(0);
      expect(help.out, verb).toMatch(new RegExp(`^Usage: sealcall-server ${verb} [\\s\\S]*--passphrase-file FILE[\\s\\S]*SEALCALL_UPDATE_KEY_PASSPHRASE_FILE`));
    }
  });
});

describe('sealcall-server publish-update', () => {
  it('signs the manifest of every file the latest*.yml files name, verifiable with the printed key', async () => {
    const files = { 'Sealcall-1.2.0.AppImage': 'appimage bytes', 'sealcall_1.2.0_amd64.deb': 'deb bytes', 'Sealcall-Setup-1.2.0.exe': 'exe bytes', 'Sealcall-Setup-1.2.0.exe.blockmap': 'not named' };
    const folder = await release('good', files, { 'latest-linux.yml': LINUX_YML, 'latest.yml': 'version: "1.2.0"\nfiles:\n  - url: Sealcall-Setup-1.2.0.exe\n    size: 9\npath: Sealcall-Setup-1.2.0.exe\n' });
    const signed = await run(['publish-update', '--key', keyFile, '--dir', folder, '--passphrase-file', passphraseFile]);
    expect(signed.code, signed.err).toBe(0);
    expect(signed.out).toContain(`Signed Sealcall 1.2.0 (3 files) with the key ${publicKeyText}:`);
    expect(signed.out).not.toContain(PASSPHRASE);

    const manifestBytes = new Uint8Array(await readFile(path.join(folder, 'sealcall-update.json')));
    const signatureText = (await readFile(path.join(folder, 'sealcall-update.json.sig'), 'utf8')).trim();
    const sodium = await loadSodium();
    const signature = sodium.from_base64(signatureText, sodium.base64_variants.ORIGINAL);
    expect(await verifyUpdateManifest(manifestBytes, signature, await decodeUpdatePublicKey(publicKeyText))).toBe(true);

    const manifest = updateManifestSchema.parse(JSON.parse(new TextDecoder().decode(manifestBytes)));
    const sha512 = (text: string) => createHash('sha512').update(text).digest('base64');
    expect(manifest).toEqual({
      format: 'sealcall-update-v1',
      version: '1.2.0',
      files: [
        { name: 'Sealcall-1.2.0.AppImage', size: 14, sha512: sha512(files['Sealcall-1.2.0.AppImage']) },
        { name: 'Sealcall-Setup-1.2.0.exe', size: 9, sha512: sha512(files['Sealcall-Setup-1.2.0.exe']) },
        { name: 'sealcall_1.2.0_amd64.deb', size: 9, sha512: sha512(files['sealcall_1.2.0_amd64.deb']) },
      ],
    });
  }, 30_000);

  it.each([
    ['a folder without latest*.yml', {}, {}, 'has no latest*.yml'],
    ['a yml naming a file that is not there', {}, { 'latest-linux.yml': LINUX_YML }, 'a latest*.yml names Sealcall-1.2.0.AppImage, which is not in'],
    ['a yml naming a path outside the folder', {}, { 'latest.yml': 'version: 1.2.0\npath: ../evil.exe\n' }, 'a latest*.yml names "../evil.exe", which is not a file in this folder'],
    ['two versions in one folder', { 'a.exe': 'a', 'b.AppImage': 'b' }, { 'latest.yml': 'version: 1.2.0\npath: a.exe\n', 'latest-linux.yml': 'version: 1.3.0\npath: b.AppImage\n' }, 'latest.yml is for version 1.2.0, another latest*.yml for 1.3.0: one release per folder'],
    ['a version that is not a release version', { 'a.exe': 'a' }, { 'latest.yml': 'version: 1.2\npath: a.exe\n' }, 'cannot sign this release: version must be a release version such as 1.4.0'],
  ])('refuses %s, signing nothing', async (name, files, ymls, message) => {
    const folder = await release(name.replaceAll(' ', '-'), files, ymls);
    const result = await run(['publish-update', '--key', keyFile, '--dir', folder, '--passphrase-file', passphraseFile]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(message);
    await expect(stat(path.join(folder, 'sealcall-update.json'))).rejects.toThrow();
  });

  it('refuses a wrong passphrase without signing or echoing it', async () => {
    const folder = await release('wrong-pass', { 'a.exe': 'a' }, { 'latest.yml': 'version: 1.2.0\npath: a.exe\n' });
    const wrong = path.join(dir, 'wrong.txt');
    await writeFile(wrong, 'not the right passphrase at all');
    const result = await run(['publish-update', '--key', keyFile, '--dir', folder, '--passphrase-file', wrong]);
    expect(result).toEqual({ code: 1, out: '', err: `sealcall-server publish-update: the passphrase does not open ${keyFile} (or the file is damaged)` });
    await expect(stat(path.join(folder, 'sealcall-update.json'))).rejects.toThrow();
  }, 30_000);

  it('refuses a key file whose public key was swapped', async () => {
    const swapped = path.join(dir, 'swapped.json');
    const document = JSON.parse(await readFile(keyFile, 'utf8')) as Record<string, unknown>;
    const sodium = await loadSodium();
    document['publicKey'] = sodium.to_base64(sodium.crypto_sign_keypair().publicKey, sodium.base64_variants.ORIGINAL);
    await writeFile(swapped, JSON.stringify(document));
    await expect(openSigningKeyFile(swapped, PASSPHRASE)).rejects.toThrow(`${swapped} is damaged: its public key is not the sealed key's`);
  }, 30_000);
});
