import { describe, expect, it } from 'vitest';
import type { SealcallLink } from '../deep-link';
import { shellHooksOf } from './shell-hooks';

const share = { requestId: 'share-1', sources: [], expiresAt: 0 };

describe('shellHooksOf', () => {
  it('offers nothing for a host without hooks', () => {
    expect(shellHooksOf({ invoke: () => undefined })).toEqual({});
  });

  it('calls the hooks a host has, on the host', async () => {
    const seen: unknown[] = [];
    const host = {
      prefix: 'host:',
      handleDeepLink(this: { prefix: string }, link: SealcallLink) {
        seen.push(`${this.prefix}${link.kind}`);
      },
      acceptFromNotification(callId: string) {
        seen.push(callId);
      },
      pickScreenSource: () => Promise.resolve('screen:0:0'),
      updateFeedUrl: () => 'https://sealcall.example.com/updates/',
      reconnectNow: () => seen.push('reconnect'),
    };
    const hooks = shellHooksOf(host);
    hooks.handleDeepLink?.({ kind: 'call', userId: 'bob' });
    hooks.acceptFromNotification?.('c4ll1d-0123456789abcdefghij');
    hooks.reconnectNow?.();
    expect(seen).toEqual(['host:call', 'c4ll1d-0123456789abcdefghij', 'reconnect']);
    await expect(hooks.pickScreenSource?.(share)).resolves.toBe('screen:0:0');
    expect(hooks.updateFeedUrl?.()).toBe('https://sealcall.example.com/updates/');
  });

  it('ignores properties that are not functions and answers of the wrong type', async () => {
    const hooks = shellHooksOf({ handleDeepLink: 'nope', pickScreenSource: () => 42, updateFeedUrl: () => ({ url: 'x' }) });
    expect(hooks.handleDeepLink).toBeUndefined();
    await expect(hooks.pickScreenSource?.(share)).resolves.toBeNull();
    expect(hooks.updateFeedUrl?.()).toBeUndefined();
  });
});
