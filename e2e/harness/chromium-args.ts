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

/*
 * The e2e suite's flags: the same browser, with Chromium's fake camera at 10 frames a second
 * instead of its default 20 (Debian Chromium 156 honours `fps=`: the track reports and delivers
 * 10 fps, still 1280x720). In a call most of each page's renderer CPU is Chromium's per-frame work
 * (VP8 encode and decode, the frame-crypto worker's per-frame hop), and on two shared cores it
 * starves the page's main thread, where the accessibility scans and screenshots run. The specs
 * check that video flows and what the screens show, not a frame rate; the benchmarks keep
 * CHROMIUM_ARGS, whose figures are for Chromium's default camera.
 */
export const E2E_CHROMIUM_ARGS = withFakeDeviceOptions(CHROMIUM_ARGS, 'fps=10');

/** Adds options (comma-separated `key=value`, as Chromium parses them) to the fake-device flag. */
export function withFakeDeviceOptions(args: readonly string[], options: string): string[] {
  const flag = '--use-fake-device-for-media-stream';
  return args.map((arg) => (arg === flag ? `${flag}=${options}` : arg.startsWith(`${flag}=`) ? `${arg},${options}` : arg));
}
