import { displayNameSchema, userIdSchema } from '../../shared/protocol';
import { enrollmentLink, hashInviteCode, newInviteCode } from '../auth/invite-code';
import { formatDuration } from '../config/duration';
import { checkPublicUrl } from '../config/public-url';
import { defineCommand } from './command';
import type { Store } from '../store/store';
import { inviteList } from './invite-list';
import { CommandError, UsageError, type CliIo } from './io';
import { HELP_OPTION, booleanOption, durationOption, stringOption, type OptionSpec, type OptionValues } from './options';
import { STORE_SPECS, openCommandStore } from './store-options';

const NAME: OptionSpec = { name: 'name', kind: 'string', placeholder: 'TEXT', help: 'display name colleagues will see (required)' };
const EXPIRES: OptionSpec = { name: 'expires', kind: 'duration', default: '72h', placeholder: 'DUR', help: 'how long the link stays valid (max 30d)' };
const PUBLIC_URL: OptionSpec = {
  name: 'public-url',
  kind: 'string',
  env: 'SEALCALL_PUBLIC_URL',
  placeholder: 'URL',
  help: 'server URL to put in the link [default: the one the server last started with]',
};
const REINSTATE: OptionSpec = { name: 'reinstate', kind: 'boolean', help: 'allow inviting a user who was revoked' };
const CSV: OptionSpec = { name: 'csv', kind: 'string', placeholder: 'FILE', help: 'invite everyone on an employee list (columns email,name[,team]) instead of one user' };
const OUT: OptionSpec = { name: 'out', kind: 'string', placeholder: 'FILE', help: 'with --csv: write the links to this new file (mode 600) instead of stdout' };
const RENEW: OptionSpec = { name: 'renew', kind: 'boolean', help: 'with --csv: send a new link to people whose earlier one is still unused' };
const SPECS = [NAME, EXPIRES, CSV, OUT, RENEW, ...STORE_SPECS, PUBLIC_URL, REINSTATE, HELP_OPTION];
const USAGE = 'sealcall-server invite <user-id> --name "<display name>" [options]\n       sealcall-server invite --csv employees.csv --out links.csv [options]';

const MAX_EXPIRY_MS = 30 * 86_400_000;

/** The server URL links point at: --public-url, or the one the server last started with. */
async function linkServerUrl(store: Store, values: OptionValues): Promise<string> {
  const configured = stringOption(values, PUBLIC_URL) ?? (await store.readSetting('public_url'));
  if (configured === undefined) {
    throw new CommandError('no server URL known yet: start the server once with this --data-dir (or --redis), or pass --public-url wss://...');
  }
  try {
    return checkPublicUrl(configured);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function inviteFromList(values: OptionValues, positionals: readonly string[], csvPath: string, io: CliIo): Promise<number> {
  if (positionals.length > 0) throw new UsageError('invite --csv takes no <user-id>: the list names the people');
  if (stringOption(values, NAME) !== undefined || booleanOption(values, REINSTATE)) {
    throw new UsageError('--name and --reinstate are for one user; the list gives the names, and revoked people are reinstated one at a time');
  }
  const expiresMs = durationOption(values, EXPIRES, 60_000, MAX_EXPIRY_MS) ?? 72 * 3_600_000;
  const store = await openCommandStore(values);
  try {
    const serverUrl = await linkServerUrl(store, values);
    return await inviteList(store, { csvPath, outPath: stringOption(values, OUT), renew: booleanOption(values, RENEW), expiresMs, serverUrl }, io);
  } finally {
    await store.close();
  }
}

export const inviteCommand = defineCommand({
  name: 'invite',
  summary: 'print a one-time enrollment link for a user',
  usage: USAGE,
  description: 'Prints a one-time enrollment link. Send it to the person over a channel you trust.',
  specs: SPECS,
  notes: [
          'The code in the link is 256 random bits and only its hash is stored. A new invite for the same',
          'user cancels the previous one. Inviting someone already enrolled lets them enroll a new device:',
          'their old key stops working, and their contacts are warned that the key changed.',
          '',
          'With --csv, everyone on the list is invited at once, or nobody if a line is wrong (each bad',
          'line is named). The e-mail address, lower-cased, becomes the user id. Running the same list',
          'again is harmless: people already enrolled, already holding an unused link (unless --renew) or',
          'revoked are left alone and listed. The links go to --out as CSV for a mail merge.',
        ],
  async run({ values, positionals }, io) {
    const csvPath = stringOption(values, CSV);
    if (csvPath !== undefined) return inviteFromList(values, positionals, csvPath, io);
    if (stringOption(values, OUT) !== undefined || booleanOption(values, RENEW)) throw new UsageError('--out and --renew go with --csv');
    if (positionals.length !== 1) throw new UsageError('invite needs exactly one <user-id>');
    const userId = userIdSchema.safeParse(positionals[0]);
    if (!userId.success) throw new UsageError(`'${positionals[0] ?? ''}' is not a valid user id: lower-case letters, digits and . _ @ + - (max 64)`);
    const rawName = stringOption(values, NAME);
    if (rawName === undefined) throw new UsageError('invite needs --name "<display name>"');
    const name = displayNameSchema.safeParse(rawName);
    if (!name.success) throw new UsageError('--name must be 1 to 80 characters, with no control characters');
    const expiresMs = durationOption(values, EXPIRES, 60_000, MAX_EXPIRY_MS) ?? 72 * 3_600_000;

    const store = await openCommandStore(values);
    try {
      const serverUrl = await linkServerUrl(store, values);
      const code = newInviteCode();
      const now = Date.now();
      const outcome = await store.createInvite(
        { userId: userId.data, displayName: name.data, codeHash: hashInviteCode(code), expiresAt: now + expiresMs, reinstate: booleanOption(values, REINSTATE) },
        now,
      );
      if (!outcome.ok) throw new CommandError(`'${userId.data}' was revoked; to let them back in, run invite again with --reinstate`);
      io.out(enrollmentLink(serverUrl, code));
      const notes = [`Invite for ${userId.data} (${name.data}), valid for ${formatDuration(expiresMs)}, until ${new Date(now + expiresMs).toISOString()}.`];
      if (outcome.cancelled > 0) notes.push('Their previous unused link no longer works.');
      if (outcome.existing === 'enrolled') notes.push('They are already enrolled: enrolling with this link replaces their device key, and contacts will see a key change.');
      if (outcome.existing === 'reinstated') notes.push('They were revoked and are reinstated: they can enroll again with this link.');
      for (const note of notes) io.err(note);
      return 0;
    } finally {
      await store.close();
    }
  },
});
