import { readFile } from 'node:fs/promises';
import { CommandError, UsageError } from './io';
import { stringOption, type OptionSpec, type OptionValues } from './options';

export const PASSPHRASE_FILE_OPTION: OptionSpec = {
  name: 'passphrase-file',
  kind: 'string',
  env: 'SEALCALL_UPDATE_KEY_PASSPHRASE_FILE',
  placeholder: 'FILE',
  help: "the signing key's passphrase, read from this file (/dev/stdin to pipe it in)",
};

/**
 * The passphrase comes from a file, never from a flag: a flag's value is visible to every user of
 * the machine in the process list. One trailing newline, as `echo` writes, is not part of it.
 */
export async function readPassphrase(values: OptionValues): Promise<string> {
  const file = stringOption(values, PASSPHRASE_FILE_OPTION);
  if (file === undefined) throw new UsageError('needs --passphrase-file FILE (or SEALCALL_UPDATE_KEY_PASSPHRASE_FILE)');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
    throw new CommandError(`cannot read the passphrase file ${file} (${code})`);
  }
  return text.replace(/\r?\n$/, '');
}
