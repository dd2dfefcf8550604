import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHost, type Host } from './host';
import { FAST_TUNING } from './test-support/user-host.fixture';

/*
 * The enterprise config through the host, as the shell and the renderer meet it: a config whose
 * server or update key is malformed stops the app before it enrolls or unlocks, with a message an
 * admin can act on (the file, the field, what is wrong, a good value); a good one hands the feed
 * and its key to the shell.
 */

const GOOD_KEY = 'voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=';
let dataDir: string;
let configFile: string;
let host: Host;

async function hostWith(config: unknown): Promise<Host> {
  await writeFile(configFile, typeof config === 'string' ? config : JSON.stringify(config), { mode: 0o644 });
  host = createHost({ kind: 'harness', version: '1.0.0', dataDir, osSealer: null, enterpriseConfigPath: configFile }, { tuning: FAST_TUNING });
  await host.start();
  return host;
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sealcall-config-host-'));
  configFile = path.join(dataDir, 'config.json');
});

afterEach(async () => {
  await host.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the enterprise config, seen through the host', () => {
  it.each([
    [
      'an update key cut short',
      { updateUrl: 'https://updates.corp.example/sealcall/', updatePublicKey: GOOD_KEY.slice(0, 40) },
      `"updatePublicKey" must be the 44-character key 'sealcall-server update-key' printed, copied whole (for example "${GOOD_KEY}")`,
    ],
    [
      'an update key that is no Ed25519 key',
      { updateUrl: 'https://updates.corp.example/sealcall/', updatePublicKey: `${'A'.repeat(43)}=` },
      `"updatePublicKey" is not an Ed25519 public key: it must be the 44-character key 'sealcall-server update-key' printed, copied whole (for example "${GOOD_KEY}")`,
    ],
    [
      'a server URL without TLS',
      { serverUrl: 'ws://sealcall.corp.example/ws' },
      '"serverUrl" must use wss:// or https://: unencrypted addresses are allowed only on this computer (localhost) (for example "wss://sealcall.corp.example/ws")',
    ],
    ['a server URL that is no URL', { serverUrl: 'sealcall.corp.example' }, '"serverUrl" is not a URL (for example "wss://sealcall.corp.example/ws")'],
  ])('refuses to start with %s, saying where and what to write', async (_name, config, problem) => {
    const started = await hostWith(config);
    const status = await started.invoke('identity.status', undefined);
    expect(status).toEqual({ ok: true, value: { state: 'error', code: 'config-invalid', message: `${configFile}: ${problem}` } });
    // Not started means not enrolled or unlocked on a guess, and no update feed handed to the shell.
    const enroll = await started.invoke('identity.enroll', { link: 'sealcall://enroll?server=wss%3A%2F%2Fsealcall.corp.example%2Fws&code=x', deviceName: 'Laptop', passphrase: 'correct horse battery staple' });
    expect(enroll).toMatchObject({ ok: false, error: { code: 'bad-request', message: `${configFile}: ${problem}` } });
    expect(started.updateFeedUrl()).toBeUndefined();
    expect(started.updatePublicKey()).toBeUndefined();
  });

  it('hands a good config’s update feed and key to the shell', async () => {
    const started = await hostWith({ serverUrl: 'wss://sealcall.corp.example/ws', updateUrl: 'https://updates.corp.example/sealcall/', updatePublicKey: GOOD_KEY });
    expect(await started.invoke('identity.status', undefined)).toMatchObject({ ok: true, value: { state: 'not-enrolled' } });
    expect(started.updateFeedUrl()).toBe('https://updates.corp.example/sealcall/');
    expect(started.updatePublicKey()).toBe(GOOD_KEY);
  });
});
