import { userIdSchema } from '../../shared/protocol';
import { defineCommand } from './command';
import { CommandError, UsageError } from './io';
import { HELP_OPTION, stringOption, type OptionSpec } from './options';
import { STORE_SPECS, openCommandStore } from './store-options';

const REASON: OptionSpec = { name: 'reason', kind: 'string', placeholder: 'TEXT', help: 'why, for the audit log (no secrets)' };
const SPECS = [REASON, ...STORE_SPECS, HELP_OPTION];
const USAGE = 'sealcall-server revoke <user-id> [options]';

export const revokeCommand = defineCommand({
  name: 'revoke',
  summary: "revoke a user: cut their connections now and refuse them from then on",
  usage: USAGE,
  description: "Revokes a user's device key and any unused invite. Every running server using the same data directory (or the same Redis) cuts their live connection within a second.",
  specs: SPECS,
  notes: [
          'To let them back in later: sealcall-server invite <user-id> --name "..." --reinstate',
        ],
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('revoke needs exactly one <user-id>');
    const userId = userIdSchema.safeParse(positionals[0]);
    if (!userId.success) throw new UsageError(`'${positionals[0] ?? ''}' is not a valid user id`);
    const reason = stringOption(values, REASON);
    if (reason !== undefined && (reason.length > 200 || /\p{Cc}/u.test(reason))) throw new UsageError('--reason is at most 200 characters, with no control characters');
    const store = await openCommandStore(values);
    try {
      const outcome = await store.revokeUser(userId.data, reason);
      if (outcome === 'unknown-user') throw new CommandError(`no user or pending invite '${userId.data}' (see: sealcall-server list)`);
      io.out(outcome === 'revoked' ? `Revoked ${userId.data}. A running server cuts their connection within a second.` : `${userId.data} was already revoked.`);
      return 0;
    } finally {
      await store.close();
    }
  },
});
