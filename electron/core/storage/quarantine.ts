import { constants, copyFile, link, rename, unlink } from 'node:fs/promises';
import { readJsonDocument, type JsonDocumentSpec } from './json-store';
import { isDamaged, StoreError } from './store-error';

/** A damaged file that was moved aside so the app could start fresh; the UI should tell the user. */
export interface FileRecovery {
  readonly file: string;
  /** Where the damaged file now is, kept for support or a manual rescue. */
  readonly movedTo: string;
  /** What was wrong, e.g. `"entries[3].endedAt" is missing`. */
  readonly problem: string;
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}

function errnoCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

/** Renames `file` to `<file>.<label>-<time>` (`.corrupt-…` by default), never over an earlier backup. */
export async function moveAside(file: string, now: number = Date.now(), label = 'corrupt'): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const target = `${file}.${label}-${stamp(now)}${attempt === 0 ? '' : `-${attempt}`}`;
    try {
      // link + unlink rather than rename: a link fails when the name is taken, where a rename
      // would silently replace an earlier backup.
      await link(file, target);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EEXIST') continue;
      // Some file systems (FAT, some network shares) have no hard links.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      await rename(file, target);
      return target;
    }
    await unlink(file);
    return target;
  }
  throw new Error(`${file}: too many earlier backups with the same time stamp`);
}

/**
 * Copies `file` to `<file>.<label>-<time>` and leaves the original in place, for a caller that is
 * about to replace it atomically: a crash in between leaves both, never neither. libuv gives the
 * copy the original's permission bits.
 */
export async function copyAside(file: string, now: number, label: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const target = `${file}.${label}-${stamp(now)}${attempt === 0 ? '' : `-${attempt}`}`;
    try {
      await copyFile(file, target, constants.COPYFILE_EXCL);
      return target;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
  }
  throw new Error(`${file}: too many earlier backups with the same time stamp`);
}

export interface RecoveredDocument<T> {
  readonly value: T | undefined;
  readonly recovery: FileRecovery | null;
}

/**
 * For documents the user can live without (settings, call history): a damaged file is moved aside
 * and reported, and the caller starts fresh. A file the disk refuses to read is not damage, and
 * stays a StoreError: moving it would not help and could hide a permissions problem.
 */
export async function readOrMoveAside<T>(spec: JsonDocumentSpec<T>, now: () => number = Date.now): Promise<RecoveredDocument<T>> {
  try {
    return { value: await readJsonDocument(spec), recovery: null };
  } catch (error) {
    if (!(error instanceof StoreError) || !isDamaged(error)) throw error;
    const movedTo = await moveAside(spec.path, now());
    const problem = error.field === undefined ? error.problem : `"${error.field}" ${error.problem}`;
    return { value: undefined, recovery: { file: spec.path, movedTo, problem } };
  }
}
