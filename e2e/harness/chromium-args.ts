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

/**
 * The frame rate of Chromium's fake capture devices in the chromium e2e project (Chromium's
 * default is 20). Encoding and decoding VP8 is most of a call's CPU on the 2-core CI machine;
 * 10 frames a second still shows frames decoded and decrypted both ways, at a fifth to a third
 * less renderer CPU. Specs that count frames in a fixed window size their
 * thresholds from it. The group specs and the benchmarks keep Chromium's default.
 */
export const E2E_CAMERA_FPS = 10;

/** Adds options (comma-separated `key=value`, as Chromium parses them) to the fake-device flag. */
export function withFakeDeviceOptions(args: readonly string[], options: string): string[] {
  const flag = '--use-fake-device-for-media-stream';
  return args.map((arg) => (arg === flag ? `${flag}=${options}` : arg.startsWith(`${flag}=`) ? `${arg},${options}` : arg));
}
