import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentityKeyPair } from '../shared/crypto/identity';
import { TestClient, enrollUser, removeDataDir, signIn, startServerProcess, tempDataDir } from './test-support/harness.fixture';

const dataDir = tempDataDir();

afterAll(() => {
  removeDataDir(dataDir);
});

describe('restart and shutdown', () => {
  it('tells clients on SIGTERM, exits 0, and keeps users and keys across a restart', async () => {
    const first = await startServerProcess({ dataDir });
    const alice = await enrollUser(first, 'alice', 'Alice');
    const bob = await enrollUser(first, 'bob', 'Bob');
    const waiting = await TestClient.connect(first.wsUrl);

    expect(await first.stop('SIGTERM')).toBe(0);
    for (const client of [alice.client, bob.client, waiting]) {
      expect((await client.error('shutting-down')).code).toBe('shutting-down');
      expect((await client.closed).code).toBe(1001);
    }
    expect(first.logs()).toMatch(/"msg":"server stopped"/);

    const second = await startServerProcess({ dataDir });
    const client = await signIn(second, 'alice', alice.keys);
    const directory = await client.sync();
    expect(directory.users.map((user) => [user.id, user.displayName])).toEqual([
      ['alice', 'Alice'],
      ['bob', 'Bob'],
    ]);
    expect((await client.subscribe(['bob'])).users).toEqual([{ id: 'bob', presence: 'offline' }]);
    // A key that was never enrolled still gets nowhere after the restart.
    const stranger = await TestClient.connect(second.wsUrl);
    await stranger.auth('bob', await generateIdentityKeyPair());
    expect((await stranger.error()).code).toBe('auth-failed');
    expect((await client.sync({ epoch: directory.epoch, version: directory.version })).full).toBe(false);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('refuses to start on a data directory it cannot use, with a clear error', async () => {
    // A data directory "inside" a regular file cannot exist.
    const file = path.join(dataDir, 'not-a-directory');
    writeFileSync(file, '');
    await expect(startServerProcess({ dataDir: path.join(file, 'data') })).rejects.toThrow(/exited with 1[\s\S]*sealcall-server start: .*not-a-directory/);
  });
});
