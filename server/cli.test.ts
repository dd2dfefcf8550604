import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../shared/crypto/identity';
import { generateIdentityKeyPair } from '../shared/crypto/identity';
import { main } from './cli';
import { TestClient, removeDataDir, runCli, startServerProcess, tempDataDir, type CliResult, type ServerProcess } from './test-support/harness.fixture';

/** The CLI in this process: what the bin runs, without a Node start (seconds each on a loaded machine). */
async function runInProcess(args: readonly string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (line) => out.push(line), err: (line) => err.push(line), env: {} });
  return { code, stdout: out.map((line) => `${line}\n`).join(''), stderr: err.map((line) => `${line}\n`).join('') };
}

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
});

afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
});

const dataDir = () => ['--data-dir', server.dataDir];

describe('the admin CLI, against the running server’s data directory', () => {
  it('invite prints a one-time link that enrols, storing only the code’s hash', async () => {
    const result = await runCli(['invite', 'alice@example.com', '--name', 'Alice Example', '--expires', '2h', ...dataDir()]);
    expect(result.code).toBe(0);
    const link = new URL(result.stdout.trim());
    expect(link.protocol).toBe('sealcall:');
    expect(link.searchParams.get('server')).toBe(server.wsUrl);
    const code = link.searchParams.get('code') ?? '';
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).toMatch(/valid for 2h/);

    // Only the hash is on disk: not in the database, nor in its WAL.
    for (const file of readdirSync(server.dataDir)) {
      expect(readFileSync(path.join(server.dataDir, file)).includes(code), file).toBe(false);
    }
    expect(server.logs()).not.toContain(code);

    const keys = await generateIdentityKeyPair();
    const client = await TestClient.connect(server.wsUrl);
    await client.enroll(code, keys, 'Alice’s laptop');
    expect(await client.next('welcome')).toMatchObject({ userId: 'alice@example.com', displayName: 'Alice Example' });

    const list = await runCli(['list', ...dataDir()]);
    expect(list.code).toBe(0);
    const fingerprint = (await keyFingerprint(keys.publicKey)).replace(/(.{4})(?=.)/g, '$1 ');
    expect(list.stdout).toMatch(new RegExp(`alice@example\\.com\\s+Alice Example\\s+active\\s+${fingerprint}`));

    client.close();
    await client.closed;
    const json = await runCli(['list', '--json', ...dataDir()]);
    const parsed = JSON.parse(json.stdout) as { users: { id: string; lastSeenAt: number | null; keyFingerprint: string }[] };
    const alice = parsed.users.find((user) => user.id === 'alice@example.com');
    expect(alice?.keyFingerprint).toBe(await keyFingerprint(keys.publicKey));
  });

  it('list shows when a user was last seen, written by the server', async () => {
    // The server records last-seen times in batches and on shutdown; a restart flushes them.
    const stopped = await server.stop();
    expect(stopped).toBe(0);
    server = await startServerProcess({ dataDir: server.dataDir });
    const parsed = JSON.parse((await runCli(['list', '--json', ...dataDir()])).stdout) as { users: { id: string; lastSeenAt: number | null }[] };
    const seen = parsed.users.find((user) => user.id === 'alice@example.com')?.lastSeenAt ?? 0;
    expect(Date.now() - seen).toBeLessThan(60_000);
  });

  it('shows pending invites, and revokes', async () => {
    expect((await runCli(['invite', 'bob', '--name', 'Bob', ...dataDir()])).code).toBe(0);
    const list = await runCli(['list', ...dataDir()]);
    expect(list.stdout).toMatch(/Unused invites:\nUSER\s+NAME\s+EXPIRES \(UTC\)\nbob\s+Bob/);
    const revoke = await runCli(['revoke', 'alice@example.com', '--reason', 'test', ...dataDir()]);
    expect(revoke).toMatchObject({ code: 0 });
    expect((await runCli(['revoke', 'alice@example.com', ...dataDir()])).stdout).toMatch(/already revoked/);
    expect((await runCli(['list', ...dataDir()])).stdout).toMatch(/alice@example\.com\s+Alice Example\s+revoked/);
  });

  it('reads SEALCALL_DATA_DIR like --data-dir', async () => {
    const result = await runCli(['list'], { SEALCALL_DATA_DIR: server.dataDir });
    expect(result.stdout).toMatch(/alice@example\.com/);
  });

  it('has --help for every verb', async () => {
    // The bin itself once; every verb's help in this process.
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    const verbs = ['start', 'invite', 'revoke', 'list'];
    const helps = await Promise.all(verbs.map((verb) => runInProcess([verb, '--help'])));
    for (const [index, verb] of verbs.entries()) {
      expect(overview.stdout).toContain(`  ${verb}`);
      const help = helps[index] ?? { code: -1, stdout: '', stderr: '' };
      expect(help.code, verb).toBe(0);
      expect(help.stdout, verb).toMatch(new RegExp(`^Usage: sealcall-server ${verb}`));
      expect(help.stdout, verb).toContain('--data-dir DIR');
    }
    expect((await runInProcess(['start', '--help'])).stdout).toMatch(/--turn-secret-file FILE[\s\S]*SEALCALL_TURN_SECRET_FILE/);
  });

  it('says clearly what was typed wrong', async () => {
    const cases: [string[], number, RegExp][] = [
      [[], 2, /Usage: sealcall-server <command>/],
      [['frobnicate'], 2, /unknown command 'frobnicate'/],
      [['list', '--colour'], 2, /list: unknown option --colour/],
      [['invite', 'bob', ...dataDir()], 2, /needs --name/],
      [['invite', 'Bob Smith', '--name', 'Bob', ...dataDir()], 2, /not a valid user id/],
      [['invite', 'bob', '--name', 'Bob', '--expires', 'soon', ...dataDir()], 2, /--expires: 'soon' is not a duration/],
      [['invite', 'bob', '--name', 'Bob', '--expires', '90d', ...dataDir()], 2, /--expires must be between/],
      [['revoke', ...dataDir()], 2, /exactly one <user-id>/],
      [['revoke', 'nobody', ...dataDir()], 1, /no user or pending invite 'nobody'/],
      [['start', '--port', '99999'], 2, /--port \(or SEALCALL_PORT\) must be a whole number from 0 to 65535/],
      [['start', '--host', '0.0.0.0', '--public-url', 'ws://calls.example.com/ws'], 2, /refusing to advertise ws:\/\/calls\.example\.com\/ws/],
      [['start', '--host', '0.0.0.0', '--port', '0', '--data-dir', tempDataDir()], 1, /needs --public-url wss:/],
      [['start', '--turn-url', 'turn:127.0.0.1:3478'], 2, /TURN shared secret/],
      [['invite', 'bob', '--name', 'Bob', '--data-dir', tempDataDir()], 1, /no server URL known yet/],
    ];
    const results = [];
    for (const [args] of cases) results.push(await runInProcess(args));
    for (const [index, [args, code, message]] of cases.entries()) {
      const result = results[index] ?? { code: -1, stdout: '', stderr: '' };
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr + result.stdout, args.join(' ')).toMatch(message);
    }
  });
});
