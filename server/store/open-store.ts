import { SqliteStore } from './sqlite-store';
import type { Store } from './store';

/** The SQLite file in dataDir for one instance; the shared Redis store when a Redis URL is given. */
export async function openStore(
  where: { dataDir: string; redis?: { url: string; persistenceCheckedByAdmin: boolean } },
  onConnectionError?: (message: string) => void,
): Promise<Store> {
  if (where.redis) {
    // Loaded only here: a single instance and its CLI never load the Redis client.
    const { RedisStore } = await import('./redis-store');
    return RedisStore.open(where.redis.url, { persistenceCheckedByAdmin: where.redis.persistenceCheckedByAdmin, onConnectionError });
  }
  return SqliteStore.open(where.dataDir);
}
