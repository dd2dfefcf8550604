import type { SealcallLink } from '../deep-link';

/**
 * What the shell hands to the core beyond the IPC contract. The host implements these as it grows;
 * until a hook exists, the shell says plainly in its log what it could not deliver.
 */
export interface ShellHooks {
  /** A sealcall:// link the OS gave us (second instance, open-url, or the first launch's argv). */
  readonly handleDeepLink?: (link: SealcallLink) => void;
  /** "Accept" on an incoming-call notification: the window is already shown; the renderer must answer. */
  readonly acceptFromNotification?: (callId: string) => void;
  /** The update feed URL from the enterprise config, if the admin set one. */
  readonly updateFeedUrl?: () => string | undefined;
  /** The update-signing public key from the enterprise config, if the admin set one. */
  readonly updatePublicKey?: () => string | undefined;
  /** The computer woke from sleep: reconnect to the server now rather than when the backoff says. */
  readonly reconnectNow?: () => void;
}

/**
 * Reads the hooks a host object offers, checking each is a function. It lets the shell run against
 * a host that has none of them yet, without widening the Host type the rest of the core relies on.
 */
export function shellHooksOf(host: object): ShellHooks {
  const method = (name: string): ((...args: unknown[]) => unknown) | undefined => {
    const value: unknown = Reflect.get(host, name);
    if (typeof value !== 'function') return undefined;
    return (...args: unknown[]): unknown => Reflect.apply(value, host, args) as unknown;
  };
  const handleDeepLink = method('handleDeepLink');
  const acceptFromNotification = method('acceptFromNotification');
  const updateFeedUrl = method('updateFeedUrl');
  const updatePublicKey = method('updatePublicKey');
  const reconnectNow = method('reconnectNow');
  return {
    ...(handleDeepLink && { handleDeepLink: (link: SealcallLink) => void handleDeepLink(link) }),
    ...(acceptFromNotification && { acceptFromNotification: (callId: string) => void acceptFromNotification(callId) }),
    ...(updateFeedUrl && {
      updateFeedUrl: () => {
        const url = updateFeedUrl();
        return typeof url === 'string' ? url : undefined;
      },
    }),
    ...(updatePublicKey && {
      updatePublicKey: () => {
        const key = updatePublicKey();
        return typeof key === 'string' ? key : undefined;
      },
    }),
    ...(reconnectNow && { reconnectNow: () => void reconnectNow() }),
  };
}
