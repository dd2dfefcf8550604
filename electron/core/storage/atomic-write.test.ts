import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTempFileOf, writeFileAtomic } from './atomic-write';

const posix = process.platform !== 'win32';
let dir: string;
let target: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sealcall-atomic-'));
  target = path.join(dir, 'doc.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe('writeFileAtomic', () => {
  it('creates the file with mode 0600 by default', async () => {
    await writeFileAtomic(target, 'hello');
    expect(await readFile(target, 'utf8')).toBe('hello');
    if (posix) expect(await mode(target)).toBe(0o600);
  });

  it('replaces an existing file, narrowing a wider mode to the requested one', async () => {
    await writeFile(target, 'old');
    if (posix) await chmod(target, 0o644);
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(target))]).toEqual([1, 2, 3]);
    if (posix) expect(await mode(target)).toBe(0o600);
  });

  it('leaves the old file whole when it "crashes" between write and rename', async () => {
    await writeFileAtomic(target, 'old content');
    let seenTemp: string | undefined;
    const crash = writeFileAtomic(target, 'new content', {
      beforeRename: async (temp) => {
        seenTemp = temp;
        // By now the temp file holds the whole new content, already private.
        expect(await readFile(temp, 'utf8')).toBe('new content');
        if (posix) expect(await mode(temp)).toBe(0o600);
        throw new Error('simulated crash');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    expect(seenTemp !== undefined && isTempFileOf(target, seenTemp)).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('old content');
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('never mistakes a temp file left by a real crash for the file, and clears it on the next write', async () => {
    await writeFileAtomic(target, 'real');
    const stale = path.join(dir, '.doc.json.0123456789abcdef.tmp');
    const unrelated = path.join(dir, '.other.json.0123456789abcdef.tmp');
    await writeFile(stale, 'half-written');
    await writeFile(unrelated, 'not ours');
    expect(await readFile(target, 'utf8')).toBe('real');
    await writeFileAtomic(target, 'next');
    expect((await readdir(dir)).sort()).toEqual(['.other.json.0123456789abcdef.tmp', 'doc.json']);
    expect(await readFile(target, 'utf8')).toBe('next');
  });

  it('serializes quick writes to one file: the last one wins and no temp file is left', async () => {
    const writes = Array.from({ length: 25 }, (_, index) => writeFileAtomic(target, `version ${index}`));
    await Promise.all(writes);
    expect(await readFile(target, 'utf8')).toBe('version 24');
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('honours an explicit mode', async () => {
    await writeFileAtomic(target, 'shared', { mode: 0o640 });
    // The umask may take bits away, never add them; the owner's read and write survive any sane umask.
    if (posix) expect((await mode(target)) & ~0o640).toBe(0);
    if (posix) expect((await mode(target)) & 0o600).toBe(0o600);
  });

  it('fails without leaving anything behind when the directory does not exist', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});
