import path from 'node:path';
import log from 'electron-log/node';

/*
 * The main process's log: one rotating file in the OS's log folder. electron-log's Node flavour is
 * used on purpose: its Electron flavour registers an IPC channel any renderer could write to and
 * mirrors log lines into renderer consoles. Callers never pass secrets: no key material,
 * passphrase, enrollment code, SDP or media key; deep links are logged through describeLinkForLog.
 */

export function startLog(logsDir: string, options: { readonly console: boolean }): void {
  log.transports.file.resolvePathFn = () => path.join(logsDir, 'main.log');
  log.transports.file.maxSize = 2 * 1024 * 1024;
  log.transports.console.level = options.console ? 'info' : false;
  // Typed as always there, but electron-log creates these only when it detects Electron.
  const optional: Partial<typeof log.transports> = log.transports;
  if (optional.ipc) optional.ipc.level = false;
  if (optional.remote) optional.remote.level = false;
  log.errorHandler.startCatching({ showDialog: false });
}

export const logger = log.scope('shell');

/** An error's message for the log, without its stack or whatever else it carries. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
