/** Where a CLI verb writes; the entry point binds it to stdout and stderr, tests to arrays. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

/** A mistake in how the command was typed: exit code 2, with a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command was understood but could not be done: exit code 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}
