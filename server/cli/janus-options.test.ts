import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatJanusSecrets, newJanusSecrets } from '../sfu/janus-secrets';
import { readJanus } from './janus-options';

/* `start`'s Janus options: what the server accepts, and the clear refusal for everything else. */

const dir = mkdtempSync(path.join(tmpdir(), 'sealcall-janus-options-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text, { mode: 0o600 });
  return at;
}

const secrets = newJanusSecrets();
const good = file('good', formatJanusSecrets(secrets));
const read = (options: Record<string, string>) => readJanus(new Map(Object.entries({ 'janus-token-ttl': '10m', ...options })));

describe('Janus options', () => {
  it('none at all: no SFU', () => {
    expect(read({})).toBeUndefined();
  });

  it('takes a loopback API, an https public URL and the secrets file', () => {
    expect(read({ 'janus-url': 'http://127.0.0.1:8088/janus/', 'janus-public-url': 'https://sfu.example.com/janus', 'janus-secrets-file': good })).toMatchObject({
      apiUrl: 'http://127.0.0.1:8088/janus',
      publicUrl: 'https://sfu.example.com/janus',
      secrets,
      tokenTtlMs: 600_000,
      // Measured: already at three members the SFU costs a member less (docs/group-calls.md, "Mesh or SFU").
      meshMax: 3,
    });
  });

  it('refuses an API off loopback or not http, a plain public URL off loopback, and parts without the URL', () => {
    expect(() => read({ 'janus-url': 'http://10.0.0.5:8088/janus', 'janus-secrets-file': good })).toThrow(/must be http:\/\/ on loopback/);
    expect(() => read({ 'janus-url': 'https://127.0.0.1:8089/janus', 'janus-secrets-file': good })).toThrow(/must be http:\/\/ on loopback/);
    expect(() => read({ 'janus-url': 'http://127.0.0.1:8088/janus', 'janus-public-url': 'http://sfu.example.com/janus', 'janus-secrets-file': good })).toThrow(/must be https:\/\//);
    expect(() => read({ 'janus-url': 'http://127.0.0.1:8088/janus' })).toThrow(/needs --janus-secrets-file/);
    expect(() => read({ 'janus-secrets-file': good })).toThrow(/go with --janus-url/);
  });

  it('refuses a secrets file that is missing, incomplete, repeats a secret or holds a weak one, without echoing a value', () => {
    expect(() => read({ 'janus-url': 'http://127.0.0.1:8088/janus', 'janus-secrets-file': path.join(dir, 'absent') })).toThrow(/cannot read the Janus secrets file/);
    const incomplete = file('incomplete', `api_secret=${secrets.apiSecret}\n`);
    expect(() => read({ 'janus-url': 'http://127.0.0.1:8088/janus', 'janus-secrets-file': incomplete })).toThrow(/are all needed/);
    const same = file('same', formatJanusSecrets({ ...secrets, adminKey: secrets.apiSecret }));
    expect(() => read({ 'janus-url': 'http://127.0.0.1:8088/janus', 'janus-secrets-file': same })).toThrow(/must differ/);
    const weak = file('weak', `api_secret=short"quote\ntoken_auth_secret=${secrets.tokenAuthSecret}\nadmin_key=${secrets.adminKey}\n`);
    let message = '';
    try {
      read({ 'janus-url': 'http://127.0.0.1:8088/janus', 'janus-secrets-file': weak });
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    expect(message).toMatch(/line 1: the value must be 32 to 256/);
    expect(message).not.toContain('short');
  });
});
