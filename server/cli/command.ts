import type { CliIo } from './io';

export interface Command {
  name: string;
  summary: string;
  /** Resolves to the process exit code. Throws UsageError or CommandError for the entry point to print. */
  run(argv: readonly string[], io: CliIo): number | Promise<number>;
}
