import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisMissingReason, startRedis, type RedisProcess } from '../test-support/redis-server.fixture';
import { InstanceHeartbeat } from './instance-heartbeat';
import { KEY } from './keys';
import { Reaper } from './reaper';

/*
 * Against a real redis-server that fsyncs every write (appendfsync always): the heartbeat key
 * never reaches the append-only file, so beats cost no disk wait; the reaper therefore waits for a
 * second look before it takes an instance whose key is missing for dead.
 */

const missing = redisMissingReason();

async function aofSize(redis: Redis): Promise<number> {
  const match = /aof_current_size:(\d+)/.exec(await redis.info('persistence'));
  if (!match?.[1]) throw new Error('redis reports no aof_current_size: is appendonly on?');
  return Number(match[1]);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (;;) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (expect.getState().currentTestName === undefined) throw new Error(`gave up waiting for ${what}`);
  }
}

const failOnError = (error: unknown) => { throw error; };

describe.skipIf(missing !== undefined)('instance heartbeat and reaper', () => {
  let redis: RedisProcess;
  let connection: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    connection = new Redis(redis.url);
  });
  afterAll(async () => {
    connection.disconnect();
    await redis.stop();
  });

  it('keeps the heartbeat key alive without writing it to the append-only file', async () => {
    let reaped = 0;
    const heartbeat = new InstanceHeartbeat(connection, 'steady', 300, () => { reaped += 1; }, failOnError);
    const monitor = await new Redis(redis.url).monitor();
    try {
      await heartbeat.start();
      // After the first beat, which adds the instance to the persisted set once.
      const before = await aofSize(connection);
      let beats = 0;
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === 'set' && args[1] === KEY.heartbeat('steady')) beats += 1;
      });
      await until(() => beats >= 3, 'three more beats');
      expect(await connection.pttl(KEY.heartbeat('steady'))).toBeGreaterThan(0);
      expect(await connection.sismember(KEY.instances, 'steady')).toBe(1);
      expect(await aofSize(connection)).toBe(before);
      expect(reaped).toBe(0);
    } finally {
      monitor.disconnect();
      await heartbeat.stop();
    }
  });

  it('still tells a running instance that it was reaped meanwhile', async () => {
    let reaped = 0;
    const heartbeat = new InstanceHeartbeat(connection, 'stalled', 300, () => { reaped += 1; }, failOnError);
    try {
      await heartbeat.start();
      await connection.srem(KEY.instances, 'stalled');
      await until(() => reaped === 1, 'the next beat to notice');
    } finally {
      await heartbeat.stop();
    }
  });

  it('reaps an instance only when two looks in a row find it without a heartbeat', async () => {
    const reaped: string[] = [];
    const reaper = new Reaper(connection, 'me', 60_000, (id) => { reaped.push(id); return Promise.resolve(); }, failOnError);
    // Only this test's instances: the ones above stay in the set after they stop.
    await connection.flushall();
    await connection.sadd(KEY.instances, 'me', 'gone', 'back');
    await reaper.check();
    expect(reaped).toEqual([]);
    // As after a Redis restart: 'back' lost its key with the restart and beats again before the next look.
    await connection.set(KEY.heartbeat('back'), '1', 'PX', 60_000);
    await reaper.check();
    expect(reaped).toEqual(['gone']);
  });
});
