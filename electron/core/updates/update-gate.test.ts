import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../../shared/crypto/bytes';
import { loadSodium, type Sodium } from '../../../shared/crypto/sodium';
import { UPDATE_MANIFEST_FILE, UPDATE_SIGNATURE_FILE, type UpdateManifest } from '../../../shared/update/update-manifest';
import { encodeUpdatePublicKey, signUpdateManifest } from '../../../shared/update/update-signature';
import { createUpdateGate } from './update-gate';

/*
 * A real HTTP feed on loopback, real libsodium keys, real files on disk: the gate is asked exactly
 * what the shell asks it around electron-updater.
 */

const RUNNING = '1.0.0';
const INSTALLER = 'Sealcall-1.1.0.AppImage';

let sodium: Sodium;
let companyKey: { publicKey: Uint8Array; privateKey: Uint8Array };
let otherKey: { publicKey: Uint8Array; privateKey: Uint8Array };
let publicKeyText: string;
let server: Server;
let feedUrl: string;
let dir: string;
const feed = new Map<string, Uint8Array>();
/** Files served chunked, with no length header: the reader's own bound must hold. */
const unmeasured = new Set<string>();
let lines: string[];

const installerBytes = utf8Bytes('#!/bin/sh\necho "Sealcall 1.1.0"\n'.repeat(100));

function manifestFor(version: string, bytes = installerBytes, name = INSTALLER): UpdateManifest {
  return {
    format: 'sealcall-update-v1',
    version,
    files: [{ name, size: bytes.length, sha512: createHash('sha512').update(bytes).digest('base64') }],
  };
}

async function publish(manifest: unknown, secretKey = companyKey.privateKey): Promise<Uint8Array> {
  const bytes = utf8Bytes(`${JSON.stringify(manifest, null, 2)}\n`);
  feed.set(UPDATE_MANIFEST_FILE, bytes);
  feed.set(UPDATE_SIGNATURE_FILE, utf8Bytes(`${sodium.to_base64(await signUpdateManifest(bytes, secretKey), sodium.base64_variants.ORIGINAL)}\n`));
  return bytes;
}

async function downloaded(bytes: Uint8Array, name = INSTALLER): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

function gate(publicKey = publicKeyText) {
  return createUpdateGate(
    { feedUrl, publicKey, runningVersion: RUNNING },
    { info: (line) => lines.push(`info ${line}`), warn: (line) => lines.push(`warn ${line}`) },
  );
}

beforeAll(async () => {
  sodium = await loadSodium();
  companyKey = sodium.crypto_sign_keypair();
  otherKey = sodium.crypto_sign_keypair();
  publicKeyText = await encodeUpdatePublicKey(companyKey.publicKey);
  server = createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://feed').pathname).replace(/^\/sealcall\//, '');
    const body = feed.get(name);
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    if (unmeasured.has(name)) {
      response.writeHead(200);
      for (let offset = 0; offset < body.length; offset += 4096) response.write(body.subarray(offset, offset + 4096));
      response.end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sealcall/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
});

beforeEach(async () => {
  feed.clear();
  unmeasured.clear();
  lines = [];
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = await mkdtemp(path.join(tmpdir(), 'sealcall-update-'));
});

describe('the update gate, against a feed on loopback', () => {
  it('lets a release signed by the pinned key, newer than the app, download and install', async () => {
    await publish(manifestFor('1.1.0'));
    const updates = gate();
    expect(await updates.approveRelease('1.1.0')).toBe(true);
    expect(await updates.approveDownload(await downloaded(installerBytes))).toBe(true);
    expect(lines).toEqual([
      'info update 1.1.0: signed manifest verified with the pinned key; downloading',
      'info update 1.1.0: the downloaded file matches the signed manifest; it installs when Sealcall quits',
    ]);
  });

  it('refuses a downloaded file altered after signing, even at the same size', async () => {
    await publish(manifestFor('1.1.0'));
    const updates = gate();
    expect(await updates.approveRelease('1.1.0')).toBe(true);
    const tampered = installerBytes.slice();
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    expect(await updates.approveDownload(await downloaded(tampered))).toBe(false);
    expect(lines.at(-1)).toBe(`warn update refused (file-mismatch): the downloaded ${INSTALLER} does not match the SHA-512 in the signed manifest: it was altered`);
  });

  it('refuses a downloaded file of another size, and one the manifest does not name', async () => {
    await publish(manifestFor('1.1.0'));
    const updates = gate();
    expect(await updates.approveRelease('1.1.0')).toBe(true);
    expect(await updates.approveDownload(await downloaded(installerBytes.subarray(1)))).toBe(false);
    expect(lines.at(-1)).toBe(`warn update refused (file-mismatch): the downloaded ${INSTALLER} is ${installerBytes.length - 1} bytes, the signed manifest says ${installerBytes.length}: it was altered or truncated`);
    expect(await updates.approveDownload(await downloaded(installerBytes, 'Other-1.1.0.AppImage'))).toBe(false);
    expect(lines.at(-1)).toBe('warn update refused (file-not-listed): the downloaded Other-1.1.0.AppImage is not in the signed manifest of 1.1.0');
  });

  it('refuses a download that is not a file', async () => {
    await publish(manifestFor('1.1.0'));
    const updates = gate();
    expect(await updates.approveRelease('1.1.0')).toBe(true);
    // A folder where the installer should be: stat says it is no file.
    const folder = path.join(dir, INSTALLER);
    await mkdir(folder);
    expect(await updates.approveDownload(folder)).toBe(false);
    expect(lines.at(-1)).toBe(`warn update refused (file-mismatch): the downloaded ${INSTALLER} is missing`);
  });

  it('installs nothing when no manifest was approved first', async () => {
    expect(await gate().approveDownload(await downloaded(installerBytes))).toBe(false);
    expect(lines).toEqual(['warn update refused (file-not-listed): a download finished without a verified signed manifest']);
  });

  it('refuses a manifest signed with another key', async () => {
    await publish(manifestFor('1.1.0'), otherKey.privateKey);
    const updates = gate();
    expect(await updates.approveRelease('1.1.0')).toBe(false);
    expect(lines).toEqual([
      `warn update refused (bad-signature): ${UPDATE_MANIFEST_FILE} is not signed by the updatePublicKey in the enterprise config: the feed may have been tampered with, or signed with another key`,
    ]);
    // Nothing was approved, so not even the right bytes install.
    expect(await updates.approveDownload(await downloaded(installerBytes))).toBe(false);
  });

  it('refuses a manifest changed after it was signed', async () => {
    const signed = await publish(manifestFor('1.1.0'));
    feed.set(UPDATE_MANIFEST_FILE, utf8Bytes(new TextDecoder().decode(signed).replace('1.1.0', '1.1.1')));
    expect(await gate().approveRelease('1.1.1')).toBe(false);
    expect(lines.at(-1)).toMatch(/^warn update refused \(bad-signature\)/);
  });

  it('refuses a signature made without the update prefix (another use of the same key)', async () => {
    const bytes = await publish(manifestFor('1.1.0'));
    const bare = sodium.crypto_sign_detached(bytes, companyKey.privateKey);
    feed.set(UPDATE_SIGNATURE_FILE, utf8Bytes(sodium.to_base64(bare, sodium.base64_variants.ORIGINAL)));
    expect(await gate().approveRelease('1.1.0')).toBe(false);
    expect(lines.at(-1)).toMatch(/^warn update refused \(bad-signature\)/);
  });

  it('refuses a replayed older release, and the running version itself', async () => {
    await publish(manifestFor('0.9.0'));
    expect(await gate().approveRelease('0.9.0')).toBe(false);
    expect(lines.at(-1)).toBe('warn update refused (not-newer): the signed release is version 0.9.0, not newer than the running 1.0.0: an old release is never reinstalled (downgrade or replay)');
    await publish(manifestFor('1.0.0'));
    expect(await gate().approveRelease('1.0.0')).toBe(false);
    expect(lines.at(-1)).toBe('warn update refused (not-newer): the signed release is version 1.0.0, not newer than the running 1.0.0: an old release is never reinstalled (downgrade or replay)');
    await publish(manifestFor('1.0.0-rc.9'));
    expect(await gate().approveRelease('1.0.0-rc.9')).toBe(false);
    expect(lines.at(-1)).toMatch(/^warn update refused \(not-newer\)/);
  });

  it('refuses when latest*.yml offers another version than the signed manifest', async () => {
    await publish(manifestFor('1.1.0'));
    expect(await gate().approveRelease('9.9.9')).toBe(false);
    expect(lines.at(-1)).toBe("warn update refused (version-mismatch): the feed's latest*.yml offers 9.9.9, but the signed manifest is for 1.1.0");
  });

  it('refuses an unsigned feed: no signature, or no manifest at all', async () => {
    await publish(manifestFor('1.1.0'));
    feed.delete(UPDATE_SIGNATURE_FILE);
    expect(await gate().approveRelease('1.1.0')).toBe(false);
    expect(lines.at(-1)).toBe(
      `warn update refused (unsigned): the feed has no manifest signature (${feedUrl}${UPDATE_SIGNATURE_FILE} is 404): an unsigned release is never installed; sign it with 'sealcall-server publish-update'`,
    );
    feed.clear();
    expect(await gate().approveRelease('1.1.0')).toBe(false);
    expect(lines.at(-1)).toMatch(/^warn update refused \(unsigned\): the feed has no signed manifest/);
  });

  it.each([
    ['a signature that is not base64', () => feed.set(UPDATE_SIGNATURE_FILE, utf8Bytes('not a signature')), `${UPDATE_SIGNATURE_FILE} is not an Ed25519 signature in base64`],
    ['a manifest too large to be one', () => feed.set(UPDATE_MANIFEST_FILE, new Uint8Array(70 * 1024)), `the signed manifest FEED${UPDATE_MANIFEST_FILE} is larger than 65536 bytes`],
    [
      'a manifest too large to be one, sent without a length',
      () => {
        feed.set(UPDATE_MANIFEST_FILE, new Uint8Array(70 * 1024));
        unmeasured.add(UPDATE_MANIFEST_FILE);
      },
      `the signed manifest FEED${UPDATE_MANIFEST_FILE} is larger than 65536 bytes`,
    ],
  ])('refuses %s', async (_name, spoil, message) => {
    await publish(manifestFor('1.1.0'));
    spoil();
    expect(await gate().approveRelease('1.1.0')).toBe(false);
    expect(lines.at(-1)).toBe(`warn update refused (malformed): ${message.replace('FEED', feedUrl)}`);
  });

  it.each([
    ['not JSON', '{"format":', `${UPDATE_MANIFEST_FILE} is signed but is not valid JSON`],
    ['an unknown format', { format: 'sealcall-update-v0', version: '1.1.0', files: [] }, `${UPDATE_MANIFEST_FILE} is signed but malformed: "format" Invalid input: expected "sealcall-update-v1"`],
    ['a file name with a folder', { ...manifestFor('1.1.0', installerBytes, '../evil.AppImage') }, `${UPDATE_MANIFEST_FILE} is signed but malformed: "files.0.name" must be a plain file name (letters, digits, ".", "_", "+", "-")`],
    ['a version that is not one', { ...manifestFor('1.1.0'), version: 'latest' }, `${UPDATE_MANIFEST_FILE} is signed but malformed: "version" must be a release version such as 1.4.0`],
  ])('refuses a signed but malformed manifest: %s', async (_name, manifest, message) => {
    if (typeof manifest === 'string') {
      const bytes = utf8Bytes(manifest);
      feed.set(UPDATE_MANIFEST_FILE, bytes);
      feed.set(UPDATE_SIGNATURE_FILE, utf8Bytes(sodium.to_base64(await signUpdateManifest(bytes, companyKey.privateKey), sodium.base64_variants.ORIGINAL)));
    } else {
      await publish(manifest);
    }
    expect(await gate().approveRelease('1.1.0')).toBe(false);
    expect(lines.at(-1)).toBe(`warn update refused (malformed): ${message}`);
  });

  it('logs no key material and no manifest body', async () => {
    await publish(manifestFor('1.1.0'), otherKey.privateKey);
    await gate().approveRelease('1.1.0');
    await publish(manifestFor('1.1.0'));
    const updates = gate();
    await updates.approveRelease('1.1.0');
    await updates.approveDownload(await downloaded(installerBytes));
    const log = lines.join('\n');
    for (const secret of [companyKey.privateKey, otherKey.privateKey]) {
      expect(log).not.toContain(sodium.to_base64(secret, sodium.base64_variants.ORIGINAL));
      expect(log).not.toContain(sodium.to_hex(secret));
    }
    expect(log).not.toContain(manifestFor('1.1.0').files[0]?.sha512);
  });
});
