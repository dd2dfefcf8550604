import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisProcess } from '../test-support/redis-server.fixture';
import { RedisPersistenceError, RedisStore, REDIS_SCHEMA_VERSION } from './redis-store';

/* What only the Redis store does: refuse a Redis that could lose an acknowledged write, and keep a password out of every message. */

const started: RedisProcess[] = [];
afterEach(async () => {
  for (const redis of started.splice(0)) await redis.stop();
});

async function redisWith(args: readonly string[] = []): Promise<RedisProcess> {
  const redis = await startRedis(args);
  started.push(redis);
  return redis;
}

describe('RedisStore.open', () => {
  it('opens a Redis that fsyncs every write, and records its layout version', async () => {
    const redis = await redisWith();
    const store = await RedisStore.open(redis.url);
    expect(await store.health()).toEqual({ ok: true, schemaVersion: REDIS_SCHEMA_VERSION });
    await store.close();
  });

  it('refuses appendfsync everysec, and opens with the admin override', async () => {
    const redis = await redisWith(['--appendfsync', 'everysec']);
    const refused = RedisStore.open(redis.url);
    await expect(refused).rejects.toThrow(RedisPersistenceError);
    await expect(refused).rejects.toThrow(/appendonly yes and appendfsync everysec.*appendfsync always/);
    const store = await RedisStore.open(redis.url, { persistenceCheckedByAdmin: true });
    await store.close();
  });

  it('refuses a Redis without the append-only file', async () => {
    const redis = await redisWith(['--appendonly', 'no']);
    await expect(RedisStore.open(redis.url)).rejects.toThrow(/appendonly no/);
  });

  it('refuses a Redis that hides CONFIG unless the admin vouches for it', async () => {
    const redis = await redisWith(['--rename-command', 'CONFIG', '']);
    await expect(RedisStore.open(redis.url)).rejects.toThrow(/CONFIG GET is refused.*--redis-persistence-checked-by-admin/);
    const store = await RedisStore.open(redis.url, { persistenceCheckedByAdmin: true });
    expect(await store.health()).toMatchObject({ ok: true });
    await store.close();
  });

  it('refuses a store written by a newer server', async () => {
    const redis = await redisWith();
    const admin = new Redis(redis.url);
    await admin.set('sealcall:schema', String(REDIS_SCHEMA_VERSION + 1));
    admin.disconnect();
    await expect(RedisStore.open(redis.url)).rejects.toThrow(/newer than this server knows/);
  });

  it('says when Redis cannot be reached, without the password', async () => {
    const redis = await redisWith(['--requirepass', 'hunter2-secret']);
    const wrong = `redis://:not-the-password@127.0.0.1:${redis.port}`;
    const refusal = await RedisStore.open(wrong).then(() => '', (error: unknown) => String(error));
    expect(refusal).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
    expect(refusal).not.toContain('not-the-password');
    const store = await RedisStore.open(`redis://:hunter2-secret@127.0.0.1:${redis.port}`);
    expect(store.shownUrl).not.toContain('hunter2');
    await store.close();
    await redis.stop();
    const gone = await RedisStore.open(`redis://:hunter2-secret@127.0.0.1:${redis.port}`).then(() => '', (error: unknown) => String(error));
    expect(gone).toMatch(/cannot reach Redis/);
    expect(gone).not.toContain('hunter2');
  });

  it('refuses a URL that is not redis:// or rediss://', async () => {
    await expect(RedisStore.open('http://127.0.0.1:6379')).rejects.toThrow(/redis:\/\/ or rediss:\/\//);
    await expect(RedisStore.open('not a url :pw@')).rejects.toThrow(/is not a URL/);
  });
});
