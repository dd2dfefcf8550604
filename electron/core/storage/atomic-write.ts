import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from './file-lock';

export interface AtomicWriteOptions {
  /** Permission bits of the new file, set when it is created (never widened then narrowed). */
  readonly mode?: number;
  /**
   * Test hook: runs once the temp file is written and synced, before it replaces the target. A
   * hook that throws stands in for a crash at the worst moment.
   */
  readonly beforeRename?: (tempPath: string) => void | Promise<void>;
}

/** Temp files are hidden siblings of their target, so the rename never crosses a file system. */
function tempPattern(base: string): RegExp {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.[0-9a-f]{16}\\.tmp$`);
}

export function isTempFileOf(target: string, candidate: string): boolean {
  return tempPattern(path.basename(target)).test(path.basename(candidate));
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

/** Temp files left by a crash hold stale (if sealed) data: nobody reads them, and the next write clears them. */
async function removeStaleTemps(target: string): Promise<void> {
  const dir = path.dirname(target);
  const pattern = tempPattern(path.basename(target));
  for (const name of await readdir(dir)) {
    if (!pattern.test(name)) continue;
    await unlink(path.join(dir, name)).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
  }
}

/** Makes the rename itself durable; without it a power cut can bring back the old directory entry. */
async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync, and NTFS journals the rename anyway.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `target` so that a reader (or a restart after a crash) sees either the whole old content
 * or the whole new content, never a mix or an empty file: write a temp file in the same directory,
 * fsync it, rename it over the target, fsync the directory. Writes to one file are serialized.
 */
export function writeFileAtomic(target: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  return withFileLock(target, async () => {
    await removeStaleTemps(target);
    const dir = path.dirname(target);
    const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
    // 'wx' (O_CREAT | O_EXCL) with the mode: the file never exists with wider permissions, and an
    // attacker's pre-planted file or symlink at the temp name makes the write fail instead of follow.
    const handle = await open(temp, 'wx', mode);
    try {
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await options.beforeRename?.(temp);
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dir);
  });
}
