import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration';
import { UsageError, type CliIo } from './io';

/** One option of a verb: its flag, its environment variable, and how to read it. */
export interface OptionSpec {
  name: string;
  kind: 'string' | 'integer' | 'duration' | 'list' | 'boolean';
  env?: string;
  default?: string;
  placeholder?: string;
  help: string;
}

export const DATA_DIR_OPTION: OptionSpec = {
  name: 'data-dir',
  kind: 'string',
  env: 'SEALCALL_DATA_DIR',
  default: './data',
  placeholder: 'DIR',
  help: 'where the database lives (created if missing)',
};

export const HELP_OPTION: OptionSpec = { name: 'help', kind: 'boolean', help: 'show this help' };

export type OptionValues = Map<string, string | string[] | boolean>;

/**
 * Parses argv against the verb's options. Flags win over SEALCALL_* variables, which win over
 * defaults. Unknown flags and missing values are usage errors with a clear message.
 */
export function parseOptions(
  verb: string,
  argv: readonly string[],
  specs: readonly OptionSpec[],
  io: CliIo,
): { values: OptionValues; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(
        specs.map((spec) => [spec.name, { type: spec.kind === 'boolean' ? 'boolean' : 'string', ...(spec.kind === 'list' ? { multiple: true } : {}) }]),
      ),
    });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const flag = /'(-[^']*)'/.exec(text)?.[1];
    if (/Unknown option/.test(text)) throw new UsageError(`${verb}: unknown option ${flag ?? text}`);
    if (/argument missing/.test(text)) throw new UsageError(`${verb}: option ${flag ?? ''} needs a value`.trim());
    if (/does not take an argument/.test(text)) throw new UsageError(`${verb}: option ${flag ?? ''} takes no value`.trim());
    throw new UsageError(`${verb}: ${text}`);
  }
  const values: OptionValues = new Map();
  for (const spec of specs) {
    const fromFlag = parsed.values[spec.name];
    const fromEnv = spec.env === undefined ? undefined : io.env[spec.env];
    if (fromFlag !== undefined) {
      values.set(spec.name, Array.isArray(fromFlag) ? fromFlag.filter((item): item is string => typeof item === 'string') : fromFlag);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      values.set(spec.name, spec.kind === 'list' ? fromEnv.split(',').map((item) => item.trim()).filter(Boolean) : spec.kind === 'boolean' ? fromEnv === '1' || fromEnv === 'true' : fromEnv);
    } else if (spec.default !== undefined) {
      values.set(spec.name, spec.default);
    }
  }
  return { values, positionals: parsed.positionals };
}

function where(spec: OptionSpec): string {
  return spec.env ? `--${spec.name} (or ${spec.env})` : `--${spec.name}`;
}

export function stringOption(values: OptionValues, spec: OptionSpec): string | undefined {
  const value = values.get(spec.name);
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(values: OptionValues, spec: OptionSpec): boolean {
  return values.get(spec.name) === true;
}

export function listOption(values: OptionValues, spec: OptionSpec): string[] {
  const value = values.get(spec.name);
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

export function integerOption(values: OptionValues, spec: OptionSpec, min: number, max: number): number | undefined {
  const text = stringOption(values, spec);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${where(spec)} must be a whole number from ${min} to ${max}, not '${text}'`);
  }
  return Number(text);
}

export function durationOption(values: OptionValues, spec: OptionSpec, minMs: number, maxMs: number): number | undefined {
  const text = stringOption(values, spec);
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new UsageError(`${where(spec)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (ms < minMs || ms > maxMs) throw new UsageError(`${where(spec)} must be between ${minMs} ms and ${maxMs / 1000} s, not '${text}'`);
  return ms;
}

/** The --help text of a verb, generated from the same specs the parser uses. */
export function helpText(usage: string, summary: string, specs: readonly OptionSpec[], notes: readonly string[] = []): string {
  const left = (spec: OptionSpec) => `--${spec.name}${spec.kind === 'boolean' ? '' : ` ${spec.placeholder ?? 'VALUE'}`}`;
  const width = Math.max(...specs.map((spec) => left(spec).length));
  const lines = [`Usage: ${usage}`, '', summary, '', 'Options:'];
  for (const spec of specs) {
    const extras = [spec.default === undefined ? '' : `default ${spec.default}`, spec.env ?? ''].filter(Boolean).join('; ');
    lines.push(`  ${left(spec).padEnd(width)}  ${spec.help}${extras ? ` [${extras}]` : ''}`);
  }
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}
