import { describe, expect, it } from 'vitest';
import { DEMO_USERS, appArgs, harnessCommand, inviteArgs, noBinaryMessage, parseEnrollLink, parseListeningUrl, serverStartArgs } from '../scripts/demo-plan';

describe('npm run demo: the commands it runs', () => {
  it('starts the real server CLI on loopback, on a free port, in its own data folder', () => {
    expect(serverStartArgs('/app/bin/sealcall-server.js', '/tmp/demo/data')).toEqual([
      '/app/bin/sealcall-server.js', 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', '/tmp/demo/data',
    ]);
  });

  it('invites Alice and Bob through the CLI, as IT would', () => {
    expect(DEMO_USERS.map((user) => user.id)).toEqual(['alice', 'bob']);
    const [alice] = DEMO_USERS;
    if (alice === undefined) throw new Error('no demo users');
    expect(inviteArgs('bin.js', alice, '/d')).toEqual(['bin.js', 'invite', 'alice', '--name', 'Alice Example', '--expires', '1h', '--data-dir', '/d']);
  });

  it('gives each app its own profile and its enrollment link, in the form the shell reads from argv', () => {
    const link = 'sealcall://enroll?server=ws%3A%2F%2F127.0.0.1%3A4000%2Fws&code=abc';
    expect(appArgs('/tmp/demo/profile-alice', link)).toEqual(['.', '--user-data-dir=/tmp/demo/profile-alice', link]);
  });

  it('reads the server URL and the link from what the CLI prints', () => {
    expect(parseListeningUrl('sealcall-server listening on http://127.0.0.1:41234 (clients connect to ws://127.0.0.1:41234/ws, data in /d)\n')).toBe('http://127.0.0.1:41234');
    expect(parseListeningUrl('starting…')).toBeUndefined();
    expect(parseEnrollLink('sealcall://enroll?server=ws%3A%2F%2F127.0.0.1%3A41234%2Fws&code=Zx9_-q\n')).toBe('sealcall://enroll?server=ws%3A%2F%2F127.0.0.1%3A41234%2Fws&code=Zx9_-q');
    expect(parseEnrollLink('error: no server URL known yet')).toBeUndefined();
  });
});

describe('npm run demo without the Electron binary', () => {
  const reason = 'Electron 45.5.0 binary not installed: node_modules/electron/path.txt is missing';

  it('says plainly what is missing and how to get it', () => {
    const message = noBinaryMessage(reason, { hasDisplay: false });
    expect(message).toMatch(/^npm run demo needs the Electron binary, and it is not installed on this machine\./);
    expect(message).toContain(reason);
    expect(message).toContain('npx install-electron');
  });

  it('points at the Chromium harness call, headless where there is no display', () => {
    const message = noBinaryMessage(reason, { hasDisplay: false });
    expect(message).toContain('  npm run build:renderer && npx playwright test e2e/call-encrypted.spec.ts --project=chromium --workers=1\n');
    expect(message).toContain('add --headed');
  });

  it('opens the pages as windows where there is a display', () => {
    expect(harnessCommand({ hasDisplay: true })).toBe('npm run build:renderer && npx playwright test e2e/call-encrypted.spec.ts --project=chromium --workers=1 --headed');
    expect(noBinaryMessage(reason, { hasDisplay: true })).toContain('open as windows');
  });
});
