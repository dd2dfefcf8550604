import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { enrollmentLink, hashInviteCode, newInviteCode } from '../auth/invite-code';
import type { BulkInviteOutcome } from '../db/bulk-invites';
import type { Store } from '../store/store';
import { formatCsv } from './csv';
import { readEmployeeList } from './employee-list';
import { CommandError, type CliIo } from './io';

/** A spreadsheet export of 100 000 people is a few MB; anything far bigger is the wrong file. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Problems and skipped people listed one by one before the rest are only counted. */
const SHOWN = 50;

export interface InviteListRequest {
  csvPath: string;
  /** Where the mail-merge file goes; stdout when undefined. */
  outPath: string | undefined;
  renew: boolean;
  expiresMs: number;
  serverUrl: string;
}

const SKIP_REASONS: Record<Exclude<BulkInviteOutcome, 'invited' | 'renewed'>, string> = {
  enrolled: 'already enrolled, left alone',
  'already-invited': 'already holds an unused link, left alone (--renew sends a new one)',
  revoked: 'revoked: reinstate one at a time with invite <user-id> --reinstate',
};

function listed(lines: readonly string[]): string[] {
  return lines.length <= SHOWN ? [...lines] : [...lines.slice(0, SHOWN), `… and ${lines.length - SHOWN} more`];
}

/**
 * Invites everyone on an employee list at once. The list is checked whole first, and the store
 * writes all of it in one transaction: a bad row means nothing is written. The links go to a
 * mail-merge CSV, written under a temporary name and renamed once complete, so IT never mails from
 * half a file. Should that write fail after the invites were stored, the error says so: the same
 * command with --renew issues new links (only the codes' hashes are kept, so old links cannot be
 * printed again).
 */
export async function inviteList(store: Store, request: InviteListRequest, io: CliIo): Promise<number> {
  const size = await stat(request.csvPath).then(
    (info) => info.size,
    (error: unknown) => {
      throw new CommandError(`cannot read ${request.csvPath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    },
  );
  if (size > MAX_FILE_BYTES) throw new CommandError(`${request.csvPath} is ${size} bytes; an employee list is at most ${MAX_FILE_BYTES}`);
  const list = readEmployeeList(await readFile(request.csvPath, 'utf8'));
  if (list.problems.length > 0) {
    for (const line of listed(list.problems)) io.err(`${request.csvPath}: ${line}`);
    throw new CommandError(`${list.problems.length} line(s) of ${request.csvPath} need fixing; nobody was invited`);
  }
  if (list.employees.length === 0) throw new CommandError(`${request.csvPath} lists nobody: add one row per person under the header`);
  if (request.outPath !== undefined) {
    const exists = await stat(request.outPath).then(() => true, () => false);
    if (exists) throw new CommandError(`${request.outPath} already exists: the links are secrets, so it is never overwritten; pick a new name`);
  }

  const now = Date.now();
  const expiresAt = now + request.expiresMs;
  const people = list.employees.map((employee) => ({ employee, code: newInviteCode() }));
  let partialPath = request.outPath === undefined ? undefined : `${request.outPath}.partial`;
  const outcomes = await store.createBulkInvites(
    people.map(({ employee, code }) => ({ userId: employee.userId, displayName: employee.name, codeHash: hashInviteCode(code), expiresAt })),
    request.renew,
    now,
  );
  if (outcomes.length !== people.length) throw new CommandError(`the store answered for ${outcomes.length} of ${people.length} people`);
  const rows: string[][] = [['email', 'name', 'team', 'user_id', 'link', 'expires_utc']];
  try {
    people.forEach(({ employee, code }, index) => {
      const outcome = outcomes[index];
      if (outcome !== 'invited' && outcome !== 'renewed') return;
      rows.push([employee.email, employee.name, employee.team, employee.userId, enrollmentLink(request.serverUrl, code), new Date(expiresAt).toISOString()]);
    });
    if (rows.length === 1) partialPath = undefined;
    if (partialPath !== undefined) {
      // Owner-only from the first byte: every line holds a one-time enrollment code.
      const file = await open(partialPath, 'wx', 0o600);
      try {
        await file.writeFile(formatCsv(rows));
        await file.sync();
      } finally {
        await file.close();
      }
    }
  } catch (error) {
    if (partialPath !== undefined) await unlink(partialPath).catch(() => undefined);
    const why = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : 'error');
    throw new CommandError(`the invites were stored, but the links could not be written to ${partialPath ?? 'stdout'} (${why}): run the same command with --renew to issue new ones`);
  }
  const linked = rows.length - 1;
  if (partialPath !== undefined && request.outPath !== undefined) await rename(partialPath, request.outPath);
  else if (request.outPath === undefined) io.out(formatCsv(rows).trimEnd());

  const count = (outcome: BulkInviteOutcome) => outcomes.filter((candidate) => candidate === outcome).length;
  const skipped = list.employees.flatMap((employee, index) => {
    const outcome = outcomes[index];
    return outcome === undefined || outcome === 'invited' || outcome === 'renewed' ? [] : [`line ${employee.line}: ${employee.email}: ${SKIP_REASONS[outcome]}`];
  });
  for (const line of listed(skipped)) io.err(line);
  io.err(
    `${list.employees.length} people: ${count('invited')} invited, ${count('renewed')} sent a new link, ${count('enrolled')} already enrolled, ` +
      `${count('already-invited')} already invited, ${count('revoked')} revoked.` +
      (linked > 0 ? ` Links valid until ${new Date(expiresAt).toISOString()}.` : ' Nobody needed a new link.'),
  );
  if (request.outPath !== undefined && linked > 0) io.err(`The links are in ${request.outPath} (readable by you only): mail each person their own, then delete the file.`);
  if (list.ignoredColumns.length > 0) io.err(`Columns not used: ${list.ignoredColumns.join(', ')}.`);
  return 0;
}
