import type { CliIo } from './io';
import { booleanOption, HELP_OPTION, helpText, parseOptions, type OptionSpec, type OptionValues } from './options';

export interface Command {
  name: string;
  summary: string;
  /** Resolves to the process exit code. Throws UsageError or CommandError for the entry point to print. */
  run(argv: readonly string[], io: CliIo): number | Promise<number>;
}

export interface CommandDefinition {
  name: string;
  summary: string;
  usage: string;
  description: string;
  specs: readonly OptionSpec[];
  notes?: readonly string[];
  /** Runs with the options already parsed; --help never reaches it. */
  run(parsed: { values: OptionValues; positionals: string[] }, io: CliIo): number | Promise<number>;
}

/** A verb whose option parsing and --help are the same as every other verb's. */
export function defineCommand(definition: CommandDefinition): Command {
  return {
    name: definition.name,
    summary: definition.summary,
    run(argv, io) {
      const parsed = parseOptions(definition.name, argv, definition.specs, io);
      if (booleanOption(parsed.values, HELP_OPTION)) {
        io.out(helpText(definition.usage, definition.description, definition.specs, definition.notes));
        return 0;
      }
      return definition.run(parsed, io);
    },
  };
}
