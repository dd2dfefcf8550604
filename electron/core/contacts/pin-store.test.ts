import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateIdentityKeyPair } from '../../../shared/crypto/identity';
import { loadSodium } from '../../../shared/crypto/sodium';
import { pinMacKey, type PinDocument } from './pin-mac';
import { PinStore } from './pin-store';

let dataDir: string;
let macKey: Uint8Array;
let otherMacKey: Uint8Array;

const verifiedBob: PinDocument = {
  lostAt: null,
  pins: [{ userId: 'bob', identityKey: 'AQ'.padEnd(44, 'B'), firstSeenAt: 1, verifiedAt: 2, keyChanged: false, changedAt: null, pinLost: false }],
};

beforeAll(async () => {
  await loadSodium();
  macKey = await pinMacKey((await generateIdentityKeyPair()).secretKey);
  otherMacKey = await pinMacKey((await generateIdentityKeyPair()).secretKey);
});

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sealcall-pins-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const file = () => path.join(dataDir, 'contacts.json');

async function saved(key = macKey, document = verifiedBob): Promise<void> {
  const store = new PinStore(dataDir, key);
  store.save(document, (error) => {
    throw error;
  });
  await store.flush();
}

async function load(key = macKey, justEnrolled = false) {
  const store = new PinStore(dataDir, key, () => 1_000);
  const loaded = await store.load({ justEnrolled });
  await store.flush();
  return loaded;
}

/** A loss: nothing kept, the loss remembered, and the remembered loss already on disk. */
async function expectLost(loaded: Awaited<ReturnType<typeof load>>, problem: RegExp): Promise<void> {
  expect(loaded.document).toEqual({ lostAt: 1_000, pins: [] });
  expect(loaded.loss?.problem).toMatch(problem);
  expect((await load()).document).toEqual({ lostAt: 1_000, pins: [] });
}

describe('pin store', () => {
  it('reads back what it saved, with its MAC', async () => {
    await saved();
    const loaded = await load();
    expect(loaded).toEqual({ document: verifiedBob, loss: null });
    expect(JSON.parse(await readFile(file(), 'utf8'))).toMatchObject({ version: 2, mac: expect.stringMatching(/^[\w-]{43}$/) as unknown });
  });

  it('treats a file edited outside Sealcall as lost pins: every field is covered', async () => {
    const edits: ((raw: Record<string, unknown> & { pins: Record<string, unknown>[] }) => void)[] = [
      (raw) => (raw.pins[0] = { ...raw.pins[0], identityKey: 'AQ'.padEnd(44, 'C') }),
      (raw) => (raw.pins[0] = { ...raw.pins[0], keyChanged: true }),
      (raw) => (raw.pins[0] = { ...raw.pins[0], verifiedAt: 3 }),
      (raw) => (raw.lostAt = 7),
      (raw) => (raw.pins = []),
    ];
    for (const edit of edits) {
      await saved();
      const raw = JSON.parse(await readFile(file(), 'utf8')) as Parameters<(typeof edits)[number]>[0];
      edit(raw);
      await writeFile(file(), JSON.stringify(raw));
      await expectLost(await load(), /integrity check failed/);
    }
    expect((await readdir(dataDir)).filter((name) => name.startsWith('contacts.json.tampered-')).length).toBeGreaterThan(0);
  });

  it('treats a file another identity wrote as lost pins', async () => {
    await saved(otherMacKey);
    await expectLost(await load(), /integrity check failed/);
  });

  it('treats a damaged file as lost pins, keeping it aside', async () => {
    await saved();
    await writeFile(file(), '{"version": 2, "pins": [');
    await expectLost(await load(), /not valid JSON/);
    expect((await readdir(dataDir)).some((name) => name.startsWith('contacts.json.corrupt-'))).toBe(true);
  });

  it('treats a version 1 file (no MAC) as lost pins, so it cannot be used to skip the MAC', async () => {
    const { lostAt: _lostAt, pins } = verifiedBob;
    await writeFile(file(), JSON.stringify({ version: 1, pins: pins.map(({ pinLost: _pinLost, ...pin }) => pin) }));
    await expectLost(await load(), /version/);
  });

  it('treats a missing file as lost pins, unless the identity was just enrolled', async () => {
    await expectLost(await load(), /missing/);
    await rm(file());
    expect(await load(macKey, true)).toEqual({ document: { lostAt: null, pins: [] }, loss: null });
    expect((await load()).loss).toBeNull();
  });

  it('sets aside an earlier identity’s file at enrollment, without calling it a loss', async () => {
    await saved(otherMacKey);
    expect(await load(macKey, true)).toEqual({ document: { lostAt: null, pins: [] }, loss: null });
    expect((await readdir(dataDir)).some((name) => name.startsWith('contacts.json.previous-identity-'))).toBe(true);
    expect((await load()).loss).toBeNull();
  });
});
