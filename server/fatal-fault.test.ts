import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from './db/database';
import { enrollUser, removeDataDir, startServerProcess, tempDataDir } from './test-support/harness.fixture';

/*
 * The process-level last resort, in the real server process: a fault that escapes every handler
 * (injected here by a preloaded module that throws on SIGUSR2, outside any request) stops the
 * server with exit 70, after one log line that names the error's type but not its message, and
 * after writing the pending last-seen times, which would otherwise wait for the next batch.
 */

const dataDir = tempDataDir();
const SECRET = 'message-text-that-must-not-be-logged';
// URL-encoded: NODE_OPTIONS splits on spaces.
// URL-encoded: NODE_OPTIONS splits on spaces. The message comes from the environment, so that the
// module's own URL, which stack frames name, does not carry it.
const PRELOAD = `data:text/javascript,${encodeURIComponent("process.on('SIGUSR2', () => setImmediate(() => { throw new TypeError(process.env.FAULT_MESSAGE); }));")}`;

afterAll(() => {
  removeDataDir(dataDir);
});

describe('a fault that escapes every handler', () => {
  it('stops the server with exit 70, a log line without the message, and last-seen times written', async () => {
    const server = await startServerProcess({ dataDir, env: { NODE_OPTIONS: `--import=${PRELOAD}`, FAULT_MESSAGE: SECRET } });
    const loggedInAt = Date.now();
    await enrollUser(server, 'alice');
    // Waits for the exit on its own: a SIGTERM now would shut down gracefully, flushing anyway.
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => { resolve(code); }));
    server.child.kill('SIGUSR2');
    expect(await exited).toBe(70);

    const line = server.logs().split('\n').find((text) => text.includes('the server stops on an unexpected fault'));
    expect(line).toMatch(/"errorName":"TypeError"/);
    expect(server.logs()).not.toContain(SECRET);
    const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE), { readonly: true });
    const row = db.prepare('SELECT last_seen_at FROM users WHERE id = ?').get('alice') as { last_seen_at: number | null };
    db.close();
    expect(row.last_seen_at).toBeGreaterThanOrEqual(loggedInAt);
  });
});
