import { keyFingerprint, parseIdentityKey } from '../../shared/crypto/identity';
import { defineCommand } from './command';
import { UsageError } from './io';
import { HELP_OPTION, booleanOption, type OptionSpec } from './options';
import { STORE_SPECS, openCommandStore } from './store-options';

const JSON_OPTION: OptionSpec = { name: 'json', kind: 'boolean', help: 'print JSON instead of a table' };
const SPECS = [...STORE_SPECS, JSON_OPTION, HELP_OPTION];
const USAGE = 'sealcall-server list [options]';

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));

/** Groups of four hex digits: easier to read aloud when checking a key with someone. */
const grouped = (hex: string) => hex.replace(/(.{4})(?=.)/g, '$1 ');

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

export const listCommand = defineCommand({
  name: 'list',
  summary: 'list users, their key fingerprints and when they were last seen',
  usage: USAGE,
  description: 'Lists users with their status, key fingerprint and last-seen time, then unused invites.',
  specs: SPECS,
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`list takes no arguments, got '${positionals.join(' ')}'`);
    const store = await openCommandStore(values);
    try {
      const users = await Promise.all(
        (await store.allUsers()).map(async (user) => ({
          id: user.id,
          displayName: user.displayName,
          status: user.revokedAt !== null ? 'revoked' : user.identityKey ? 'active' : 'not enrolled',
          keyFingerprint: user.identityKey ? await keyFingerprint(parseIdentityKey(user.identityKey)) : null,
          device: user.deviceName,
          enrolledAt: user.enrolledAt,
          lastSeenAt: user.lastSeenAt,
          revokedAt: user.revokedAt,
        })),
      );
      const invites = await store.pendingInvites();
      if (booleanOption(values, JSON_OPTION)) {
        io.out(JSON.stringify({ users, invites }, null, 2));
        return 0;
      }
      if (users.length === 0) io.out('No users yet. Invite one with: sealcall-server invite <user-id> --name "<display name>"');
      else {
        const rows = [['USER', 'NAME', 'STATUS', 'KEY FINGERPRINT', 'LAST SEEN (UTC)']];
        for (const user of users) rows.push([user.id, user.displayName, user.status, user.keyFingerprint ? grouped(user.keyFingerprint) : '-', when(user.lastSeenAt)]);
        for (const line of table(rows)) io.out(line);
      }
      if (invites.length > 0) {
        io.out('');
        io.out('Unused invites:');
        const rows = [['USER', 'NAME', 'EXPIRES (UTC)']];
        for (const invite of invites) rows.push([invite.userId, invite.displayName, when(invite.expiresAt)]);
        for (const line of table(rows)) io.out(line);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
});
