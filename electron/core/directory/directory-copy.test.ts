import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/crypto/bytes';
import { generateIdentityKeyPair, serializeIdentityKey, type IdentityKeyPair } from '../../../shared/crypto/identity';
import { loadSodium } from '../../../shared/crypto/sodium';
import { DirectoryCopyStore, directoryMacKey, type DirectoryCopy } from './directory-copy';

let identity: IdentityKeyPair;
let other: IdentityKeyPair;
const dirs: string[] = [];

beforeAll(async () => {
  await loadSodium();
  identity = await generateIdentityKeyPair();
  other = await generateIdentityKeyPair();
});

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sealcall-directory-copy-'));
  dirs.push(dir);
  return dir;
}

const copy = (users: number, version = 7): DirectoryCopy => ({
  epoch: toBase64Url(new Uint8Array(16).fill(3)),
  version,
  users: Array.from({ length: users }, (_, index) => ({
    id: `user-${index}`,
    displayName: `User ${index}`,
    identityKey: toBase64Url(serializeIdentityKey(other.publicKey)),
  })),
});

async function store(dir: string, keyPair = identity): Promise<DirectoryCopyStore> {
  return new DirectoryCopyStore(dir, await directoryMacKey(keyPair.secretKey), 60_000);
}

async function saved(dir: string, value: DirectoryCopy): Promise<DirectoryCopyStore> {
  const copies = await store(dir);
  copies.save(() => value);
  await copies.flush();
  return copies;
}

describe('the stored directory copy', () => {
  it('reads back what was written, and there is none at first', async () => {
    const dir = dataDir();
    expect(await (await store(dir)).load()).toBeUndefined();
    await saved(dir, copy(3));
    expect(await (await store(dir)).load()).toEqual(copy(3));
  });

  it('a storm of changes is one write, of the state when it is written', async () => {
    const dir = dataDir();
    const copies = await store(dir);
    let reads = 0;
    for (let version = 1; version <= 1_000; version++) {
      copies.save(() => {
        reads += 1;
        return copy(2, version);
      });
    }
    await copies.flush();
    expect(reads).toBe(1);
    expect((await copies.load())?.version).toBe(1_000);
    expect(readdirSync(dir)).toEqual(['directory.json']);
  });

  it('a damaged, truncated, oversized or hand-edited file is no copy, never an error', async () => {
    const dir = dataDir();
    await saved(dir, copy(3));
    const file = path.join(dir, 'directory.json');
    const good = readFileSync(file, 'utf8');
    const edited = JSON.parse(good) as { users: { identityKey: string }[]; directoryVersion: number };
    const planted = structuredClone(edited);
    const someoneElse = toBase64Url(serializeIdentityKey(identity.publicKey));
    if (planted.users[1]) planted.users[1].identityKey = someoneElse;
    const skipped = { ...structuredClone(edited), directoryVersion: edited.directoryVersion + 100 };
    for (const text of [
      good.slice(0, good.length / 2),
      'not json',
      '\u0000\u0001',
      JSON.stringify({ ...edited, version: 99 }),
      JSON.stringify({ ...edited, users: 'everyone' }),
      // A key planted as a colleague's first key: the MAC catches it.
      JSON.stringify(planted),
      // A version moved on, so that changes would never be asked for.
      JSON.stringify(skipped),
    ]) {
      writeFileSync(file, text);
      expect(await (await store(dir)).load(), text.slice(0, 40)).toBeUndefined();
    }
    writeFileSync(file, good);
    expect(await (await store(dir)).load()).toEqual(copy(3));
  });

  it("another identity's copy (an earlier enrollment on this computer) is no copy", async () => {
    const dir = dataDir();
    await saved(dir, copy(2));
    expect(await (await store(dir, other)).load()).toBeUndefined();
  });

  it('is compact and private to the user', async () => {
    const dir = dataDir();
    await saved(dir, copy(1_000));
    const file = path.join(dir, 'directory.json');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('\n');
    expect(text.length / 1_000, 'bytes per colleague').toBeLessThan(150);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
