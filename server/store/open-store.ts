import { RedisStore } from './redis-store';
import { SqliteStore } from './sqlite-store';
import type { Store } from './store';

/** The SQLite file in dataDir for one instance; the shared Redis store when a Redis URL is given. */
export async function openStore(where: { dataDir: string; redis?: { url: string; persistenceCheckedByAdmin: boolean } }): Promise<Store> {
  if (where.redis) return RedisStore.open(where.redis.url, { persistenceCheckedByAdmin: where.redis.persistenceCheckedByAdmin });
  return SqliteStore.open(where.dataDir);
}
