import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpdateGate } from './update-gate';

/*
 * The whole chain with the real tools: `sealcall-server update-key` and `publish-update` run as an
 * admin runs them (their own process), the release folder is served over HTTP on loopback, and
 * the gate the app uses accepts it with the key update-key printed.
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/sealcall-server.js');

let dir: string;
let server: Server;
let feedUrl: string;
let publicKey: string;
const installer = 'Sealcall-2.0.0.AppImage';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sealcall-published-'));
  const release = path.join(dir, 'dist');
  await mkdir(release);
  await writeFile(path.join(release, installer), 'the 2.0.0 AppImage');
  await writeFile(path.join(release, 'latest-linux.yml'), `version: 2.0.0\nfiles:\n  - url: ${installer}\n    sha512: x\n    size: 18\npath: ${installer}\n`);
  await writeFile(path.join(dir, 'passphrase'), 'an offline passphrase for tests\n');
  const passphrase = ['--passphrase-file', path.join(dir, 'passphrase')];
  const made = await run(process.execPath, [BIN, 'update-key', '--out', path.join(dir, 'key.json'), ...passphrase], { cwd: ROOT });
  publicKey = /"updatePublicKey": "([^"]+)"/.exec(made.stdout)?.[1] ?? '';
  await run(process.execPath, [BIN, 'publish-update', '--key', path.join(dir, 'key.json'), '--dir', release, ...passphrase], { cwd: ROOT });

  server = createServer((request, response) => {
    const name = path.basename(new URL(request.url ?? '/', 'http://feed').pathname);
    readFile(path.join(release, name)).then(
      (body) => {
        response.writeHead(200).end(body);
      },
      () => {
        response.writeHead(404).end();
      },
    );
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/updates/`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await rm(dir, { recursive: true, force: true });
});

describe('a release signed with the server CLI', () => {
  it('passes the app’s gate under the printed key, and only a newer app refuses it', async () => {
    const lines: string[] = [];
    const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) };
    const gate = createUpdateGate({ feedUrl, publicKey, runningVersion: '1.9.9' }, log);
    expect(await gate.approveRelease('2.0.0')).toBe(true);
    expect(await gate.approveDownload(path.join(dir, 'dist', installer))).toBe(true);

    const newer = createUpdateGate({ feedUrl, publicKey, runningVersion: '2.0.1' }, log);
    expect(await newer.approveRelease('2.0.0')).toBe(false);
    expect(lines.at(-1)).toMatch(/^update refused \(not-newer\)/);
  });
});
