import { open } from 'node:fs/promises';
import type { z } from 'zod';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic-write';
import { describeIssue } from './describe-issue';
import { StoreError } from './store-error';

export interface JsonDocumentSpec<T> {
  readonly path: string;
  readonly schema: z.ZodType<T>;
  /**
   * The `version` the document must carry. Checked before the schema, so that a file written by a
   * newer Sealcall says so instead of listing every field this version does not understand.
   */
  readonly version?: number;
  /** A bigger file is refused unread: these documents are small, and a huge one is damage or abuse. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

function errnoCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function unreadable(file: string, error: unknown): StoreError {
  const code = errnoCode(error);
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'unknown error');
  return new StoreError('unreadable', file, undefined, `cannot be read (${why})`, { cause: error });
}

async function readBytes(file: string, maxBytes: number): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw unreadable(file, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new StoreError('unreadable', file, undefined, 'is not a regular file');
    if (stats.size > maxBytes) throw new StoreError('too-large', file, undefined, `is larger than ${maxBytes} bytes`);
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) throw new StoreError('too-large', file, undefined, `is larger than ${maxBytes} bytes`);
    return bytes;
  } catch (error) {
    throw error instanceof StoreError ? error : unreadable(file, error);
  } finally {
    await handle.close();
  }
}

// `fatal` refuses invalid UTF-8 rather than guessing; the decoder also drops a leading BOM, which
// Windows Notepad adds to files an admin saves.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch (error) {
    // The parser's own message can quote the file, which may hold sealed key material: keep it out.
    throw new StoreError('invalid-json', file, undefined, 'is not valid JSON (it may be truncated)', { cause: error });
  }
}

function checkVersion(file: string, raw: unknown, expected: number): void {
  if (raw === null || typeof raw !== 'object' || !('version' in raw)) return;
  const found = raw.version;
  if (typeof found === 'number' && found > expected) {
    throw new StoreError(
      'unsupported-version',
      file,
      'version',
      `is ${found}, written by a newer Sealcall; this one reads version ${expected}`,
    );
  }
}

export function validateDocument<T>(file: string, schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  if (issue === undefined) throw new StoreError('invalid', file, undefined, 'does not match its schema');
  const { field, problem } = describeIssue(issue, raw);
  throw new StoreError('invalid', file, field, problem, { cause: parsed.error });
}

/** The document at `spec.path`, or undefined when there is no file. Anything else wrong is a StoreError. */
export async function readJsonDocument<T>(spec: JsonDocumentSpec<T>): Promise<T | undefined> {
  const bytes = await readBytes(spec.path, spec.maxBytes ?? DEFAULT_MAX_BYTES);
  if (bytes === undefined) return undefined;
  const raw = parseJson(spec.path, bytes);
  if (spec.version !== undefined) checkVersion(spec.path, raw, spec.version);
  return validateDocument(spec.path, spec.schema, raw);
}

/** Writes atomically, after checking the value against the schema: a bug must not leave a file we cannot read back. */
export async function writeJsonDocument<T>(spec: JsonDocumentSpec<T>, value: T, options: AtomicWriteOptions = {}): Promise<void> {
  validateDocument(spec.path, spec.schema, value);
  await writeFileAtomic(spec.path, `${JSON.stringify(value, null, 2)}\n`, options);
}

export interface JsonStore<T> {
  readonly path: string;
  /** The stored document, or the default when there is no file; a damaged file is a StoreError, never reset silently. */
  read(): Promise<T>;
  write(value: T): Promise<void>;
}

export function createJsonStore<T>(spec: JsonDocumentSpec<T> & { readonly defaults: () => T; readonly mode?: number }): JsonStore<T> {
  return {
    path: spec.path,
    read: async () => (await readJsonDocument(spec)) ?? spec.defaults(),
    write: (value) => writeJsonDocument(spec, value, { mode: spec.mode ?? 0o600 }),
  };
}
