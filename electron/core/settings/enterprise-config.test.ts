import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, enterpriseConfigPath, enterpriseServerUrl, isLocked, loadEnterpriseConfig } from './enterprise-config';

const posix = process.platform !== 'win32';
const GOOD_KEY = 'voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=';
const KEY_ADVICE = `must be the 44-character key 'sealcall-server update-key' printed, copied whole (for example "${GOOD_KEY}")`;
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sealcall-config-'));
  file = path.join(dir, 'config.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configError(content: string): Promise<ConfigError> {
  await writeFile(file, content, { mode: 0o644 });
  const error: unknown = await loadEnterpriseConfig(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe('enterprise config path', () => {
  it('is the system-wide location of each platform', () => {
    expect(enterpriseConfigPath('linux', {})).toBe('/etc/sealcall/config.json');
    expect(enterpriseConfigPath('freebsd', {})).toBe('/etc/sealcall/config.json');
    expect(enterpriseConfigPath('darwin', {})).toBe('/Library/Application Support/Sealcall/config.json');
    expect(enterpriseConfigPath('win32', { ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData\\Sealcall\\config.json');
    expect(enterpriseConfigPath('win32', { PROGRAMDATA: 'E:\\PD' })).toBe('E:\\PD\\Sealcall\\config.json');
    expect(enterpriseConfigPath('win32', {})).toBe('C:\\ProgramData\\Sealcall\\config.json');
    // A relative value would make the path depend on the working directory.
    expect(enterpriseConfigPath('win32', { ProgramData: 'ProgramData' })).toBe('C:\\ProgramData\\Sealcall\\config.json');
  });
});

describe('loading the enterprise config', () => {
  it('is empty when there is no file', async () => {
    expect(await loadEnterpriseConfig(file)).toEqual({});
  });

  it('reads a full config, taking https:// as a spelling of wss://', async () => {
    await writeFile(
      file,
      JSON.stringify({
        serverUrl: 'https://sealcall.corp.example/ws',
        updateUrl: 'https://updates.corp.example/sealcall/',
        updatePublicKey: GOOD_KEY,
        relayOnly: true,
        theme: 'dark',
        ringtone: false,
        locked: ['serverUrl', 'relayOnly'],
      }),
    );
    const config = await loadEnterpriseConfig(file);
    expect(config).toMatchObject({ serverUrl: 'wss://sealcall.corp.example/ws', updatePublicKey: GOOD_KEY, relayOnly: true, theme: 'dark', ringtone: false });
    expect(isLocked(config, 'relayOnly')).toBe(true);
    expect(isLocked(config, 'theme')).toBe(false);
    expect(enterpriseServerUrl(config)).toEqual({ url: 'wss://sealcall.corp.example/ws', locked: true });
  });

  it('allows plain ws:// and http:// only on loopback', async () => {
    await writeFile(file, JSON.stringify({ serverUrl: 'ws://127.0.0.1:8787/ws', updateUrl: 'http://localhost:8080/feed/' }));
    expect(await loadEnterpriseConfig(file)).toMatchObject({ serverUrl: 'ws://127.0.0.1:8787/ws' });
  });

  it.each([
    ['{"relayOnly": "yes"}', 'relayOnly', 'must be true or false'],
    ['{"relayonly": true}', 'relayonly', 'is not a known field (check its spelling)'],
    ['{"theme": "blue"}', 'theme', 'must be one of "system", "light", "dark"'],
    ['{"serverUrl": "ws://sealcall.corp.example/ws"}', 'serverUrl', 'must use wss:// or https://: unencrypted addresses are allowed only on this computer (localhost) (for example "wss://sealcall.corp.example/ws")'],
    ['{"serverUrl": "http://sealcall.corp.example/ws"}', 'serverUrl', 'must use wss:// or https://: unencrypted addresses are allowed only on this computer (localhost) (for example "wss://sealcall.corp.example/ws")'],
    ['{"serverUrl": "ftp://sealcall.corp.example/"}', 'serverUrl', 'must start with wss:// or https:// (for example "wss://sealcall.corp.example/ws")'],
    ['{"serverUrl": "wss://admin:pw@sealcall.corp.example/"}', 'serverUrl', 'may not contain a user name or password (for example "wss://sealcall.corp.example/ws")'],
    ['{"serverUrl": "sealcall.corp.example"}', 'serverUrl', 'is not a URL (for example "wss://sealcall.corp.example/ws")'],
    ['{"updateUrl": "https://updates.corp.example/?channel=beta"}', 'updateUrl', 'may not contain a query (?…) or a fragment (#…) (for example "https://updates.corp.example/sealcall/")'],
    ['{"updateUrl": "http://updates.corp.example/"}', 'updateUrl', 'must use https://: plain http:// is allowed only on this computer (localhost) (for example "https://updates.corp.example/sealcall/")'],
    ['{"updatePublicKey": "voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8"}', 'updatePublicKey', KEY_ADVICE],
    ['{"updatePublicKey": "voA2r31PHZrHIN3lzivyX-ZEngLE954ZEVTEl30oXj8="}', 'updatePublicKey', KEY_ADVICE],
    ['{"updatePublicKey": "voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=\\n"}', 'updatePublicKey', KEY_ADVICE],
    ['{"updatePublicKey": "voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj9="}', 'updatePublicKey', KEY_ADVICE],
    ['{"updatePublicKey": 42}', 'updatePublicKey', 'must be a string'],
    ['{"updatePublicKey": ""}', 'updatePublicKey', KEY_ADVICE],
    ['{"locked": ["relayOnly", "updateUrl"], "relayOnly": true}', 'locked[1]', 'must be one of "serverUrl", "relayOnly", "ringtone", "theme", "startMuted", "startCameraOff"'],
    ['{"locked": "relayOnly", "relayOnly": true}', 'locked', 'must be a list'],
    ['{"relayOnly": false, "locked": ["relayOnly", "serverUrl"]}', 'locked[1]', 'locks "serverUrl", but the file does not set "serverUrl"'],
    ['["relayOnly"]', '(document)', 'must be an object'],
  ])('names the field: %s', async (content, field, problem) => {
    const error = await configError(content);
    expect(error).toMatchObject({ code: 'invalid', file, field });
    expect(error.message).toBe(`${file}: "${field}" ${problem}`);
  });

  it.each([
    ['all zeros', 'A'.repeat(43) + '='],
    ['a small-order point', 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['not on the curve', 'AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
  ])('refuses an updatePublicKey of the right shape that is no Ed25519 key: %s', async (_name, key) => {
    const error = await configError(JSON.stringify({ updatePublicKey: key }));
    expect(error).toMatchObject({ code: 'invalid', file, field: 'updatePublicKey' });
    expect(error.message).toBe(`${file}: "updatePublicKey" is not an Ed25519 public key: it ${KEY_ADVICE}`);
  });

  it('reports broken JSON with the file name', async () => {
    const error = await configError('{"relayOnly": true,');
    expect(error.code).toBe('invalid-json');
    expect(error.message).toBe(`${file}: is not valid JSON (it may be truncated)`);
  });

  it('accepts a byte-order mark, as Notepad writes', async () => {
    await writeFile(file, '\uFEFF{"relayOnly": true}');
    expect(await loadEnterpriseConfig(file)).toEqual({ relayOnly: true });
  });

  it.skipIf(!posix)('refuses a file any user could have written', async () => {
    await writeFile(file, '{"relayOnly": true}');
    await chmod(file, 0o666);
    const error: unknown = await loadEnterpriseConfig(file).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'insecure', file });
  });

  it('reports a file it cannot read as unreadable', async () => {
    const error: unknown = await loadEnterpriseConfig(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'unreadable', file: dir });
  });
});
