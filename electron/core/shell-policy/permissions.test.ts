import { describe, expect, it } from 'vitest';
import { isDevicePermissionAllowed, isPermissionCheckAllowed, isPermissionRequestAllowed, macMediaAccessFor, type PermissionAsk } from './permissions';

const renderer = 'file:///opt/Sealcall/resources/app.asar/out/renderer/index.html';
const ours = (permission: string, mediaTypes?: string[]): PermissionAsk => ({ permission, requestingUrl: renderer, isMainFrame: true, mediaTypes });

const DENIED_EVERYWHERE = [
  'notifications',
  'geolocation',
  'clipboard-read',
  'clipboard-sanitized-write',
  'openExternal',
  'fullscreen',
  'pointerLock',
  'keyboardLock',
  'midi',
  'midiSysex',
  'hid',
  'serial',
  'usb',
  'fileSystem',
  'idle-detection',
  'screen-wake-lock',
  'window-management',
  'local-fonts',
  'storage-access',
  'unknown',
  'no-such-permission',
];

describe('permission requests', () => {
  it('grants camera and microphone to our main frame', () => {
    expect(isPermissionRequestAllowed(ours('media', ['audio']), renderer)).toBe(true);
    expect(isPermissionRequestAllowed(ours('media', ['video']), renderer)).toBe(true);
    expect(isPermissionRequestAllowed(ours('media', ['audio', 'video']), renderer)).toBe(true);
  });

  it('refuses a media request that does not say which devices, or asks for more', () => {
    expect(isPermissionRequestAllowed(ours('media'), renderer)).toBe(false);
    expect(isPermissionRequestAllowed(ours('media', []), renderer)).toBe(false);
    expect(isPermissionRequestAllowed(ours('media', ['audio', 'desktop']), renderer)).toBe(false);
  });

  it('lets our main frame start a screen share, whose source our picker chooses', () => {
    expect(isPermissionRequestAllowed(ours('display-capture'), renderer)).toBe(true);
  });

  it.each(DENIED_EVERYWHERE)('refuses %s', (permission) => {
    expect(isPermissionRequestAllowed(ours(permission, ['audio']), renderer)).toBe(false);
  });

  it('refuses everything to a subframe, another document or an unknown asker', () => {
    for (const permission of ['media', 'display-capture']) {
      const ask = ours(permission, ['audio']);
      expect(isPermissionRequestAllowed({ ...ask, isMainFrame: false }, renderer)).toBe(false);
      expect(isPermissionRequestAllowed({ ...ask, requestingUrl: 'https://evil.example/' }, renderer)).toBe(false);
      expect(isPermissionRequestAllowed({ ...ask, requestingUrl: 'file:///tmp/evil.html' }, renderer)).toBe(false);
      expect(isPermissionRequestAllowed({ ...ask, requestingUrl: undefined }, renderer)).toBe(false);
    }
  });
});

describe('permission checks', () => {
  it('answers yes for camera, microphone and a media check that names no device', () => {
    expect(isPermissionCheckAllowed(ours('media', ['video']), renderer)).toBe(true);
    expect(isPermissionCheckAllowed(ours('media', ['audio']), renderer)).toBe(true);
    expect(isPermissionCheckAllowed(ours('media'), renderer)).toBe(true);
    expect(isPermissionCheckAllowed(ours('display-capture'), renderer)).toBe(true);
  });

  it("answers no for Electron's 'unknown' media type and for everything else", () => {
    expect(isPermissionCheckAllowed(ours('media', ['unknown']), renderer)).toBe(false);
    for (const permission of DENIED_EVERYWHERE) {
      expect(isPermissionCheckAllowed(ours(permission), renderer), permission).toBe(false);
    }
  });

  it('answers no to anything but our main frame', () => {
    expect(isPermissionCheckAllowed({ ...ours('media', ['audio']), isMainFrame: false }, renderer)).toBe(false);
    expect(isPermissionCheckAllowed({ ...ours('media', ['audio']), requestingUrl: 'https://evil.example/' }, renderer)).toBe(false);
  });
});

describe('macOS media access', () => {
  it('asks the OS for exactly the devices requested', () => {
    expect(macMediaAccessFor(['audio'])).toEqual(['microphone']);
    expect(macMediaAccessFor(['video', 'audio'])).toEqual(['microphone', 'camera']);
    expect(macMediaAccessFor(undefined)).toEqual([]);
  });

  it('refuses device APIs', () => {
    expect(isDevicePermissionAllowed()).toBe(false);
  });
});
