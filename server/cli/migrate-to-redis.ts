import type { RedisStore } from '../store/redis-store';
import { SqliteStore } from '../store/sqlite-store';
import { defineCommand } from './command';
import { CommandError, UsageError } from './io';
import { DATA_DIR_OPTION, HELP_OPTION, stringOption } from './options';
import { REDIS_OPTION, REDIS_PERSISTENCE_OPTION, readRedisConfig } from './store-options';

const SPECS = [DATA_DIR_OPTION, REDIS_OPTION, REDIS_PERSISTENCE_OPTION, HELP_OPTION];
const USAGE = 'sealcall-server migrate-to-redis --data-dir DIR --redis URL [options]';

export const migrateToRedisCommand = defineCommand({
  name: 'migrate-to-redis',
  summary: 'copy a single instance’s data directory into an empty Redis store, once',
  usage: USAGE,
  description: 'Copies users, keys, invites, revocations, the audit log and the directory versions from --data-dir into an empty Redis store.',
  specs: SPECS,
  notes: [
          'Stop the single server first, so nothing changes in the data directory during the copy.',
          'The copy is one transaction: it writes everything or nothing, and refuses a Redis store that is',
          'already in use. Keep the data directory as a backup; the servers then start with --redis URL.',
        ],
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`migrate-to-redis takes no arguments, got '${positionals.join(' ')}'`);
    const redisConfig = readRedisConfig(values);
    if (!redisConfig) throw new UsageError('migrate-to-redis needs --redis URL');
    const dataDir = stringOption(values, DATA_DIR_OPTION) ?? './data';
    const sqlite = SqliteStore.open(dataDir);
    try {
      const dump = await sqlite.dump();
      // Loaded here only: every other verb starts without the Redis client.
      const [{ RedisStore: RedisStoreClass }, { importDump }] = await Promise.all([import('../store/redis-store'), import('../store/redis-import')]);
      let redis: RedisStore;
      try {
        redis = await RedisStoreClass.open(redisConfig.url, { persistenceCheckedByAdmin: redisConfig.persistenceCheckedByAdmin });
      } catch (error) {
        throw new CommandError(error instanceof Error ? error.message : String(error));
      }
      try {
        const outcome = await importDump(redis, dump);
        if (!outcome.ok) throw new CommandError(`the Redis store at ${redis.shownUrl} is already in use: nothing was copied`);
        io.out(`Copied ${outcome.users} users and ${outcome.invites} invites from ${dataDir} to Redis at ${redis.shownUrl}.`);
        io.err('Start every server with --redis now; keep the data directory as a backup of the moment of the copy.');
        return 0;
      } finally {
        await redis.close();
      }
    } finally {
      await sqlite.close();
    }
  },
});
