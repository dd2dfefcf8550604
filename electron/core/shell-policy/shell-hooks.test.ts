import { describe, expect, it } from 'vitest';
import type { SealcallLink } from '../deep-link';
import { shellHooksOf } from './shell-hooks';

describe('shellHooksOf', () => {
  it('offers nothing for a host without hooks', () => {
    expect(shellHooksOf({ invoke: () => undefined })).toEqual({});
  });

  it('calls the hooks a host has, on the host', () => {
    const seen: unknown[] = [];
    const host = {
      prefix: 'host:',
      handleDeepLink(this: { prefix: string }, link: SealcallLink) {
        seen.push(`${this.prefix}${link.kind}`);
      },
      acceptFromNotification(callId: string) {
        seen.push(callId);
      },
      updateFeedUrl: () => 'https://sealcall.example.com/updates/',
      updatePublicKey: () => 'voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=',
      reconnectNow: () => seen.push('reconnect'),
    };
    const hooks = shellHooksOf(host);
    hooks.handleDeepLink?.({ kind: 'call', userId: 'bob' });
    hooks.acceptFromNotification?.('c4ll1d-0123456789abcdefghij');
    hooks.reconnectNow?.();
    expect(seen).toEqual(['host:call', 'c4ll1d-0123456789abcdefghij', 'reconnect']);
    expect(hooks.updateFeedUrl?.()).toBe('https://sealcall.example.com/updates/');
    expect(hooks.updatePublicKey?.()).toBe('voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=');
  });

  it('ignores properties that are not functions and answers of the wrong type', () => {
    const hooks = shellHooksOf({ handleDeepLink: 'nope', updateFeedUrl: () => ({ url: 'x' }), updatePublicKey: () => 42 });
    expect(hooks.handleDeepLink).toBeUndefined();
    expect(hooks.updateFeedUrl?.()).toBeUndefined();
    expect(hooks.updatePublicKey?.()).toBeUndefined();
  });
});
