/**
 * The pure half of `npm run demo` (scripts/demo.ts): which commands it runs, how it reads their
 * output, and what it says. Kept apart so that it is tested without starting anything.
 */

export interface DemoUser {
  readonly id: string;
  readonly name: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'alice', name: 'Alice Example' },
  { id: 'bob', name: 'Bob Example' },
];

/** `sealcall-server start` on loopback, on a free port, with the demo's own data folder. */
export function serverStartArgs(bin: string, dataDir: string): string[] {
  return [bin, 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir];
}

/** `sealcall-server invite`, as IT runs it; short-lived, since the demo's server is thrown away. */
export function inviteArgs(bin: string, user: DemoUser, dataDir: string): string[] {
  return [bin, 'invite', user.id, '--name', user.name, '--expires', '1h', '--data-dir', dataDir];
}

/** The server's own announcement: `sealcall-server listening on http://127.0.0.1:<port> (...)`. */
export function parseListeningUrl(stdout: string): string | undefined {
  return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
}

export function parseEnrollLink(stdout: string): string | undefined {
  return /sealcall:\/\/enroll\?\S+/.exec(stdout)?.[0];
}

/**
 * One app instance: '.' so Electron reads package.json (as `npm start` does), a profile of its own
 * (the shell keeps its data in Chromium's --user-data-dir, and the single-instance lock is per
 * profile, so two can run side by side), and the enrollment link, which the shell takes from argv
 * the way the OS hands it over on Windows and Linux.
 */
export function appArgs(profileDir: string, enrollLink: string): string[] {
  return ['.', `--user-data-dir=${profileDir}`, enrollLink];
}

export interface Display {
  /** DISPLAY or WAYLAND_DISPLAY is set: a headed browser can show its windows. */
  readonly hasDisplay: boolean;
}

/** The command that shows a real encrypted call between two Chromium pages, without Electron. */
export function harnessCommand(display: Display): string {
  const test = 'npx playwright test e2e/call-encrypted.spec.ts --project=chromium --workers=1';
  return `npm run build:renderer && ${test}${display.hasDisplay ? ' --headed' : ''}`;
}

/** What the demo says where there is no Electron binary: what is missing, and what to run instead. */
export function noBinaryMessage(reason: string, display: Display): string {
  return [
    'npm run demo needs the Electron binary, and it is not installed on this machine.',
    `  ${reason}.`,
    '  On a machine with internet access, `npx install-electron` fetches it; then run `npm run demo` again.',
    '',
    'Without Electron, the test harness shows the same call: a real server, two enrolled users, and an',
    'end-to-end encrypted call between two Chromium pages (Debian Chromium at /usr/bin/chromium), with',
    'the frames each side decoded printed at the end:',
    '',
    `  ${harnessCommand(display)}`,
    '',
    display.hasDisplay
      ? 'The two pages open as windows while the call runs.'
      : 'There is no display here, so the pages run headless; on a desktop, add --headed to watch the call.',
  ].join('\n');
}

/** What the demo prints once both apps are on their way. */
export function readyMessage(serverUrl: string, dataDir: string): string {
  const [first, second] = DEMO_USERS;
  return [
    `Demo server: ${serverUrl} (data in ${dataDir}, removed when the demo stops).`,
    `Two Sealcall windows are opening, one for ${first?.name ?? 'Alice'} and one for ${second?.name ?? 'Bob'}, each with its own enrollment link filled in.`,
    'In each, click "Set up Sealcall" (where the computer has no keychain, choose a passphrase first).',
    `In ${first?.name ?? 'Alice'}'s window, click ${second?.name ?? 'Bob'} in the contact list to call. Compare the twelve digits on both sides.`,
    'Press Ctrl+C to stop the demo: it closes both windows and the server.',
  ].join('\n');
}
