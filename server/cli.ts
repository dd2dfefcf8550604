#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import type { Command } from './cli/command';
import { CommandError, UsageError, type CliIo } from './cli/io';
import { inviteCommand } from './cli/invite';
import { listCommand } from './cli/list';
import { migrateToRedisCommand } from './cli/migrate-to-redis';
import { publishUpdateCommand } from './cli/publish-update';
import { revokeCommand } from './cli/revoke';
import { startCommand } from './cli/start';
import { updateKeyCommand } from './cli/update-key';
import { SERVER_VERSION } from './version';

const COMMANDS: readonly Command[] = [startCommand, inviteCommand, revokeCommand, listCommand, migrateToRedisCommand, updateKeyCommand, publishUpdateCommand];

function overview(): string {
  return [
    `sealcall-server ${SERVER_VERSION}: the company server for Sealcall calls`,
    '',
    'Usage: sealcall-server <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(18)}${command.summary}`),
    '',
    "Run 'sealcall-server <command> --help' for a command's options. The server and the user commands",
    'take --data-dir (or SEALCALL_DATA_DIR), or --redis URL for several instances, and must use the same',
    'one. update-key and publish-update touch no server data: run them on the offline signing machine.',
  ].join('\n');
}

/** Runs the CLI and resolves to the exit code; never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(overview());
    return verb === undefined ? 2 : 0;
  }
  if (verb === '--version' || verb === '-v') {
    io.out(SERVER_VERSION);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === verb);
  if (!command) {
    io.err(`sealcall-server: unknown command '${verb}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Try 'sealcall-server --help'.`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`sealcall-server ${error.message.startsWith(`${verb}:`) ? '' : `${verb}: `}${error.message}`);
      io.err(`Try 'sealcall-server ${verb} --help'.`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`sealcall-server ${verb}: ${error instanceof CommandError ? '' : 'error: '}${message}`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const io: CliIo = {
    out: (line) => { console.log(line); },
    err: (line) => { console.error(line); },
    env: process.env,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
