import { describe, expect, it } from 'vitest';
import { isPermissionAllowed } from './permission-policy';

const renderer = 'file:///opt/Sealcall/resources/app/out/renderer/index.html';

describe('isPermissionAllowed', () => {
  it('grants camera and microphone to our renderer', () => {
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: renderer, isMainFrame: true }, renderer)).toBe(true);
  });

  it.each(['notifications', 'geolocation', 'display-capture', 'clipboard-read', 'openExternal', 'unknown'])(
    'refuses %s, which nothing needs yet',
    (permission) => {
      expect(isPermissionAllowed({ permission, requestingUrl: renderer, isMainFrame: true }, renderer)).toBe(false);
    },
  );

  it('refuses media to a subframe, another document or an unknown asker', () => {
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: renderer, isMainFrame: false }, renderer)).toBe(false);
    expect(
      isPermissionAllowed({ permission: 'media', requestingUrl: 'https://example.com/', isMainFrame: true }, renderer),
    ).toBe(false);
    expect(isPermissionAllowed({ permission: 'media', requestingUrl: undefined, isMainFrame: true }, renderer)).toBe(false);
  });
});
