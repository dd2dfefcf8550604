import type { RedisConfig } from '../config/server-config';
import { openStore } from '../store/open-store';
import { checkRedisUrl } from '../store/redis-url';
import type { Store } from '../store/store';
import { CommandError, UsageError } from './io';
import { DATA_DIR_OPTION, booleanOption, stringOption, type OptionSpec, type OptionValues } from './options';

export const REDIS_OPTION: OptionSpec = {
  name: 'redis',
  kind: 'string',
  env: 'SEALCALL_REDIS_URL',
  placeholder: 'URL',
  help: 'use the Redis store shared by several instances (redis://host:port) instead of --data-dir',
};

export const REDIS_PERSISTENCE_OPTION: OptionSpec = {
  name: 'redis-persistence-checked-by-admin',
  kind: 'boolean',
  env: 'SEALCALL_REDIS_PERSISTENCE_CHECKED_BY_ADMIN',
  help: 'skip the check that Redis persists every write (for managed Redis that refuses CONFIG GET)',
};

/** The options every verb that reads or writes the store takes. */
export const STORE_SPECS: readonly OptionSpec[] = [DATA_DIR_OPTION, REDIS_OPTION, REDIS_PERSISTENCE_OPTION];

export function readRedisConfig(values: OptionValues): RedisConfig | undefined {
  const url = stringOption(values, REDIS_OPTION);
  const checkedByAdmin = booleanOption(values, REDIS_PERSISTENCE_OPTION);
  if (url === undefined) {
    if (checkedByAdmin) throw new UsageError('--redis-persistence-checked-by-admin goes with --redis URL');
    return undefined;
  }
  try {
    checkRedisUrl(url);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { url, persistenceCheckedByAdmin: checkedByAdmin };
}

/** Opens the store an admin command acts on: Redis with --redis, else the SQLite file in --data-dir. */
export async function openCommandStore(values: OptionValues): Promise<Store> {
  const redis = readRedisConfig(values);
  try {
    return await openStore({ dataDir: stringOption(values, DATA_DIR_OPTION) ?? './data', redis });
  } catch (error) {
    if (redis) throw new CommandError(error instanceof Error ? error.message : String(error));
    throw error;
  }
}
