/**
 * Debian Chromium's flags for the harness, shared by playwright.config.ts and the browser
 * benchmarks (bench/), so both run the same browser the same way.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Calls between two users on one machine: on a loopback-only network (a test namespace) the
  // only ICE candidates are 127.0.0.1, which Chromium drops without this.
  '--allow-loopback-in-peer-connection',
];

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Adds options (comma-separated `key=value`, as Chromium parses them) to the fake-device flag. */
export function withFakeDeviceOptions(args: readonly string[], options: string): string[] {
  const flag = '--use-fake-device-for-media-stream';
  return args.map((arg) => (arg === flag ? `${flag}=${options}` : arg.startsWith(`${flag}=`) ? `${arg},${options}` : arg));
}
