import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentityKeyPair } from '../../shared/crypto/identity';
import { TestClient, removeDataDir, runCli, startServerProcess, type ServerProcess } from '../test-support/harness.fixture';
import { main } from '../cli';
import { parseCsv } from './csv';

/*
 * Bulk invites through the real CLI process against a running server's data directory: the links
 * it writes enroll, a second run of the same list changes nothing, and a bad list writes nothing.
 */

let server: ServerProcess;
let dir = '';
beforeAll(async () => {
  server = await startServerProcess();
  dir = mkdtempSync(path.join(tmpdir(), 'sealcall-csv-'));
});
afterAll(async () => {
  await server.stop();
  removeDataDir(server.dataDir);
  removeDataDir(dir);
});

const store = () => ['--data-dir', server.dataDir];
function file(name: string, text: string): string {
  const where = path.join(dir, name);
  writeFileSync(where, text);
  return where;
}
const linksIn = (where: string) => parseCsv(readFileSync(where, 'utf8')).map((record) => record.fields);
async function pendingIds(): Promise<string[]> {
  const out: string[] = [];
  await main(['list', '--json', ...store()], { out: (line) => out.push(line), err: () => undefined, env: {} });
  const listed = JSON.parse(out.join('\n')) as { invites: { userId: string }[] };
  return listed.invites.map((invite) => invite.userId);
}

describe('invite --csv', () => {
  it('writes a mail-merge file of links that enroll, readable by its owner only; a second run changes nothing', async () => {
    const list = file('staff.csv', '\uFEFFName,E-mail ignored,Email,Team\r\n"Smith, Ann",x,Ann@Corp.example,Sales\r\nBob Baker,y,bob@corp.example,\r\n');
    const out = path.join(dir, 'links.csv');
    const first = await runCli(['invite', '--csv', list, '--out', out, ...store()]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/2 people: 2 invited, 0 sent a new link, 0 already enrolled, 0 already invited, 0 revoked/);
    expect(first.stderr).toMatch(/Columns not used: e-mail ignored/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const rows = linksIn(out);
    expect(rows[0]).toEqual(['email', 'name', 'team', 'user_id', 'link', 'expires_utc']);
    expect(rows.slice(1).map((row) => row.slice(0, 4))).toEqual([
      ['ann@corp.example', 'Smith, Ann', 'Sales', 'ann@corp.example'],
      ['bob@corp.example', 'Bob Baker', '', 'bob@corp.example'],
    ]);

    const code = new URL(rows[1]?.[4] ?? '').searchParams.get('code') ?? '';
    const client = await TestClient.connect(server.wsUrl);
    await client.enroll(code, await generateIdentityKeyPair(), 'Ann’s laptop');
    expect(await client.next('welcome')).toMatchObject({ userId: 'ann@corp.example', displayName: 'Smith, Ann' });
    client.close();
    await client.closed;

    const again = await runCli(['invite', '--csv', list, '--out', path.join(dir, 'again.csv'), ...store()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/line 2: ann@corp\.example: already enrolled/);
    expect(again.stderr).toMatch(/line 3: bob@corp\.example: already holds an unused link/);
    expect(again.stderr).toMatch(/Nobody needed a new link/);
    expect(existsSync(path.join(dir, 'again.csv'))).toBe(false);

    const renewed = await runCli(['invite', '--csv', list, ...store(), '--renew']);
    expect(renewed.code, renewed.stderr).toBe(0);
    const printed = parseCsv(renewed.stdout).map((record) => record.fields);
    expect(printed.map((row) => row[0])).toEqual(['email', 'bob@corp.example']);
    expect(printed[1]?.[4]).not.toBe(rows[2]?.[4]);
  });

  it('names every bad line and invites nobody', async () => {
    const before = await pendingIds();
    const list = file('bad.csv', 'email,name\nnot-an-address,X\ncy@corp.example,\ndee@corp.example,Dee\nDEE@corp.example,Dee again\neve@corp.example,Eve,extra\nfay@corp.example,Fay\n');
    const result = await runCli(['invite', '--csv', list, '--out', path.join(dir, 'never.csv'), ...store()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2: 'not-an-address' is not an e-mail address/);
    expect(result.stderr).toMatch(/line 3: the name must be 1 to 80 characters/);
    expect(result.stderr).toMatch(/line 5: dee@corp\.example is already on line 4/);
    expect(result.stderr).toMatch(/line 6: 3 fields where the header has 2/);
    expect(result.stderr).toMatch(/4 line\(s\) of .* need fixing; nobody was invited/);
    expect(await pendingIds()).toEqual(before);
    expect(existsSync(path.join(dir, 'never.csv'))).toBe(false);
  });

  it('refuses a missing header, an existing output file and flags that belong to one user', async () => {
    const cases: [string[], number, RegExp][] = [
      [['invite', '--csv', file('noheader.csv', 'ann@corp.example,Ann\n'), ...store()], 1, /header row must name the columns email and name/],
      [['invite', '--csv', file('ok.csv', 'email,name\ngus@corp.example,Gus\n'), '--out', file('exists.csv', 'x'), ...store()], 1, /already exists/],
      [['invite', '--csv', path.join(dir, 'missing.csv'), ...store()], 1, /cannot read .*missing\.csv: ENOENT/],
      [['invite', 'gus@corp.example', '--csv', file('one.csv', 'email,name\n'), ...store()], 2, /takes no <user-id>/],
      [['invite', '--csv', file('two.csv', 'email,name\n'), '--name', 'X', ...store()], 2, /--name and --reinstate are for one user/],
      [['invite', 'gus@corp.example', '--name', 'Gus', '--renew', ...store()], 2, /--out and --renew go with --csv/],
      [['invite', '--csv', file('empty.csv', 'email,name\n'), ...store()], 1, /lists nobody/],
    ];
    // In this process: the spawned CLI is shown above, and a process per case costs seconds.
    for (const [args, code, message] of cases) {
      const errors: string[] = [];
      const exit = await main(args, { out: () => undefined, err: (line) => errors.push(line), env: {} });
      expect(exit, args.join(' ')).toBe(code);
      expect(errors.join('\n'), args.join(' ')).toMatch(message);
    }
    expect(await pendingIds()).not.toContain('gus@corp.example');
  });
});
