/**
 * Why a JSON document could not be used. The message always names the file, and the field when
 * there is one, so a user or an admin can find and fix the problem; it never quotes file contents,
 * because some of these files hold sealed key material.
 */
export type StoreErrorCode = 'unreadable' | 'too-large' | 'invalid-json' | 'invalid' | 'unsupported-version';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    readonly file: string,
    /** The offending field as a path (`locked[1]`, `settings.theme`), when the problem is one field. */
    readonly field: string | undefined,
    /** The problem alone, without the file name: for callers that word their own message. */
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(field === undefined ? `${file}: ${problem}` : `${file}: "${field}" ${problem}`, options);
  }
}

/** Whether the file exists but its content cannot be used (as opposed to the disk refusing to read it). */
export function isDamaged(error: StoreError): boolean {
  return error.code !== 'unreadable';
}
