import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJsonStore, readJsonDocument } from './json-store';
import { StoreError } from './store-error';

const docSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1),
  flags: z.object({ loud: z.boolean() }),
  items: z.array(z.object({ at: z.number().int() })),
});
type Doc = z.infer<typeof docSchema>;
const defaults = (): Doc => ({ version: 1, name: 'default', flags: { loud: false }, items: [] });

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sealcall-json-'));
  file = path.join(dir, 'doc.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function store(maxBytes?: number) {
  return createJsonStore({ path: file, schema: docSchema, version: 1, defaults, ...(maxBytes === undefined ? {} : { maxBytes }) });
}

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof StoreError)) throw new Error(`expected a StoreError, got ${String(error)}`);
  return error;
}

describe('json store', () => {
  it('gives the default when there is no file, and reads back what it wrote', async () => {
    expect(await store().read()).toEqual(defaults());
    const doc: Doc = { version: 1, name: 'n', flags: { loud: true }, items: [{ at: 3 }] };
    await store().write(doc);
    expect(await store().read()).toEqual(doc);
  });

  it('reports invalid JSON with the file name, without quoting the file', async () => {
    await writeFile(file, '{"name": "s3cr3t-material", ');
    const error = await failure(store().read());
    expect(error.code).toBe('invalid-json');
    expect(error.message).toContain(file);
    expect(error.message).not.toContain('s3cr3t');
  });

  it.each([
    [{ version: 1, name: 'x', flags: { loud: 'yes' }, items: [] }, 'flags.loud', 'must be true or false'],
    [{ version: 1, name: 'x', flags: { loud: true }, items: [{ at: 1 }, { at: 'later' }] }, 'items[1].at', 'must be a number'],
    [{ version: 1, flags: { loud: true }, items: [] }, 'name', 'is missing'],
    [{ version: 1, name: '', flags: { loud: true }, items: [] }, 'name', 'must not be empty'],
    [{ version: 1, name: 'x', flags: { loud: true }, items: [], extra: 1 }, 'extra', 'is not a known field (check its spelling)'],
    [{ version: 0, name: 'x', flags: { loud: true }, items: [] }, 'version', 'must be 1'],
    [[1, 2], '(document)', 'must be an object'],
  ])('names the field of a schema mismatch: %j', async (content, field, problem) => {
    await writeFile(file, JSON.stringify(content));
    const error = await failure(store().read());
    expect(error).toMatchObject({ code: 'invalid', file, field, problem });
    expect(error.message).toBe(`${file}: "${field}" ${problem}`);
  });

  it('says so when a newer Sealcall wrote the file', async () => {
    await writeFile(file, JSON.stringify({ version: 7, whatever: true }));
    expect(await failure(store().read())).toMatchObject({ code: 'unsupported-version', field: 'version' });
  });

  it('refuses an oversized file unread', async () => {
    await writeFile(file, JSON.stringify({ ...defaults(), name: 'x'.repeat(500) }));
    expect((await failure(store(100).read())).code).toBe('too-large');
  });

  it('accepts the byte-order mark Windows editors add', async () => {
    await writeFile(file, `\uFEFF${JSON.stringify(defaults())}`);
    expect(await readJsonDocument({ path: file, schema: docSchema })).toEqual(defaults());
  });

  it('refuses to write a document that would not read back, and leaves the file alone', async () => {
    await store().write(defaults());
    const before = await readFile(file, 'utf8');
    const bad = { ...defaults(), name: '' };
    expect((await failure(store().write(bad))).field).toBe('name');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('reports a directory in place of the file as unreadable', async () => {
    await mkdir(file);
    expect((await failure(store().read())).code).toBe('unreadable');
  });
});
