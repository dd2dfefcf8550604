import { describe, expect, it } from 'vitest';
import {
  DeepLinkError,
  describeLinkForLog,
  formatSealcallLink,
  linkFromArgv,
  MAX_LINK_LENGTH,
  parseSealcallLink,
  type DeepLinkErrorCode,
} from './deep-link';

const CODE = 'q1w2e3r4t5y6u7i8o9p0-_ASDFGHJKLzxcvbnm12345';
const enroll = (server: string, code = CODE): string => `sealcall://enroll?${new URLSearchParams({ server, code }).toString()}`;

function refusal(text: string): DeepLinkErrorCode {
  try {
    parseSealcallLink(text);
  } catch (error) {
    if (error instanceof DeepLinkError) return error.code;
    throw error;
  }
  throw new Error(`accepted ${text}`);
}

describe('parseSealcallLink: enrollment', () => {
  it('reads the link the server prints', () => {
    expect(parseSealcallLink(enroll('wss://sealcall.example.com/ws'))).toEqual({
      kind: 'enroll',
      serverUrl: 'wss://sealcall.example.com/ws',
      code: CODE,
    });
  });

  it('allows plain ws:// on loopback only', () => {
    for (const server of ['ws://127.0.0.1:8787/ws', 'ws://127.9.8.7/ws', 'ws://[::1]:8787/ws', 'ws://localhost:8787/ws']) {
      expect(parseSealcallLink(enroll(server)).kind, server).toBe('enroll');
    }
    for (const server of ['ws://sealcall.example.com/ws', 'ws://10.0.0.5/ws', 'ws://127.0.0.1.evil.com/ws', 'ws://localhost.evil.com/ws']) {
      expect(refusal(enroll(server)), server).toBe('bad-server');
    }
  });

  it('refuses servers that are not WebSocket URLs, or that carry credentials or a query', () => {
    for (const server of [
      'http://127.0.0.1/ws',
      'https://sealcall.example.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'wss://user:secret@sealcall.example.com/ws',
      'wss://sealcall.example.com/ws?next=evil',
      'wss://sealcall.example.com/ws#x',
      'not a url',
      '',
    ]) {
      expect(refusal(enroll(server)), server).toBe('bad-server');
    }
  });

  it('sees through percent-encoding in the server address instead of being fooled by it', () => {
    // The query value is decoded once by URLSearchParams, then the URL parser decodes the host:
    // 127.0.0.1%2eevil.com is the host 127.0.0.1.evil.com, which is not loopback.
    expect(refusal(`sealcall://enroll?server=ws%3A%2F%2F127.0.0.1%252eevil.com%2Fws&code=${CODE}`)).toBe('bad-server');
    expect(refusal(`sealcall://enroll?server=ws://127.0.0.1%2eevil.com/ws&code=${CODE}`)).toBe('bad-server');
    expect(parseSealcallLink(`sealcall://enroll?server=wss%3A%2F%2Fsealcall.example.com%2Fws&code=${CODE}`)).toMatchObject({
      serverUrl: 'wss://sealcall.example.com/ws',
    });
  });

  it('checks the code', () => {
    for (const code of ['short', 'a'.repeat(21), 'a'.repeat(65), `${CODE.slice(0, 30)}+/=`, `${CODE.slice(0, 30)}%2F`, `${CODE} `]) {
      expect(refusal(enroll('wss://sealcall.example.com/ws', code)), code).toBe('bad-code');
    }
    expect(parseSealcallLink(enroll('wss://a.example/ws', 'a'.repeat(22))).kind).toBe('enroll');
    expect(parseSealcallLink(enroll('wss://a.example/ws', 'a'.repeat(64))).kind).toBe('enroll');
  });

  it('refuses missing, repeated and unknown parameters', () => {
    expect(refusal(`sealcall://enroll?code=${CODE}`)).toBe('bad-shape');
    expect(refusal('sealcall://enroll?server=wss://a.example/ws')).toBe('bad-shape');
    expect(refusal(`${enroll('wss://a.example/ws')}&server=wss://evil.example/ws`)).toBe('bad-shape');
    expect(refusal(`${enroll('wss://a.example/ws')}&then=delete`)).toBe('bad-shape');
    expect(refusal(`sealcall://enroll/extra?server=wss://a.example/ws&code=${CODE}`)).toBe('bad-shape');
  });
});

describe('parseSealcallLink: calls', () => {
  it('reads a one-click call link, decoding an escaped @ once', () => {
    expect(parseSealcallLink('sealcall://call/alice@example.com')).toEqual({ kind: 'call', userId: 'alice@example.com' });
    expect(parseSealcallLink('sealcall://call/alice%40example.com')).toEqual({ kind: 'call', userId: 'alice@example.com' });
    expect(parseSealcallLink('sealcall://call/bob')).toEqual({ kind: 'call', userId: 'bob' });
  });

  it('refuses ids outside the user-id rules, double encoding and extra parts', () => {
    for (const link of [
      'sealcall://call/Alice',
      'sealcall://call/alice%2540example.com',
      'sealcall://call/..%2F..%2Fetc',
      'sealcall://call/%E0%A4%A',
      'sealcall://call/al%20ice',
      `sealcall://call/${'a'.repeat(65)}`,
      'sealcall://call/-alice',
    ]) {
      expect(refusal(link), link).toBe('bad-user-id');
    }
    for (const link of ['sealcall://call/', 'sealcall://call', 'sealcall://call/alice/bob', 'sealcall://call/alice?video=1']) {
      expect(refusal(link), link).toBe('bad-shape');
    }
  });
});

describe('parseSealcallLink: hostile links', () => {
  it('refuses other schemes', () => {
    for (const link of ['javascript:alert(1)', 'file:///etc/passwd', 'https://sealcall.example.com/enroll', 'sealcal://call/bob', 'data:text/html,hi']) {
      expect(refusal(link), link).toBe('wrong-scheme');
    }
  });

  it('refuses credentials, ports and fragments in the link itself', () => {
    expect(refusal('sealcall://alice:pw@call/bob')).toBe('bad-shape');
    expect(refusal('sealcall://call:443/bob')).toBe('bad-shape');
    expect(refusal('sealcall://call/bob#x')).toBe('bad-shape');
  });

  it('refuses unknown and percent-encoded actions', () => {
    expect(refusal('sealcall://%65nroll?server=wss://a.example/ws&code=' + CODE)).toBe('unknown-action');
    expect(refusal('sealcall://admin/reset')).toBe('unknown-action');
    expect(refusal('sealcall:call/bob')).toBe('unknown-action');
  });

  it('refuses whitespace and control characters that URL parsing would silently drop', () => {
    for (const link of ['sealcall://ca\tll/bob', 'sealcall://call/bob\n', ' sealcall://call/bob', 'sealcall://call/bob\u0000', 'sealcall://call/b\u0085ob']) {
      expect(refusal(link), JSON.stringify(link)).toBe('bad-characters');
    }
  });

  it('refuses overlong links before parsing them', () => {
    expect(refusal(`sealcall://call/bob?${'a'.repeat(MAX_LINK_LENGTH)}`)).toBe('too-long');
  });

  it('accepts the scheme and action in any case, as URL parsing does', () => {
    expect(parseSealcallLink('SEALCALL://CALL/bob')).toEqual({ kind: 'call', userId: 'bob' });
  });

  it('gives messages a user can act on', () => {
    expect(() => parseSealcallLink('sealcall://admin/reset')).toThrow(/sealcall:\/\/enroll\?server=…&code=… or sealcall:\/\/call\/<user-id>/);
    expect(() => parseSealcallLink(enroll('ws://10.0.0.5/ws'))).toThrow(/server Sealcall will not use: refusing unencrypted ws:\/\//);
  });
});

describe('linkFromArgv', () => {
  it('finds the link among the switches Chromium and the OS add', () => {
    expect(linkFromArgv(['C:\\Program Files\\Sealcall\\Sealcall.exe', '--allow-file-access-from-files', 'sealcall://call/bob'])).toEqual({
      kind: 'call',
      userId: 'bob',
    });
    expect(linkFromArgv(['/opt/Sealcall/sealcall', '--no-sandbox'])).toBeNull();
  });

  it('ignores switches that merely mention the scheme, and refuses two links', () => {
    expect(linkFromArgv(['sealcall', '--open=sealcall://call/bob'])).toBeNull();
    expect(() => linkFromArgv(['app', 'sealcall://call/bob', 'sealcall://call/eve'])).toThrow(DeepLinkError);
  });

  it('refuses a malformed link rather than ignoring it', () => {
    expect(() => linkFromArgv(['app', 'sealcall://call/Eve'])).toThrow(/user id/);
  });
});

describe('formatting', () => {
  it('round-trips both kinds', () => {
    for (const text of [enroll('wss://sealcall.example.com/ws'), 'sealcall://call/alice%40example.com']) {
      expect(formatSealcallLink(parseSealcallLink(text))).toBe(text);
    }
  });

  it('never logs an enrollment code', () => {
    const described = describeLinkForLog(parseSealcallLink(enroll('wss://sealcall.example.com/ws')));
    expect(described).not.toContain(CODE);
    expect(described).toContain('wss://sealcall.example.com/ws');
  });
});
