/**
 * `npm run demo`: a call between two Sealcall windows on one computer, within a minute. Starts a
 * throw-away server on loopback, invites Alice and Bob with the real `sealcall-server invite`, and
 * opens two app instances with separate profiles, each handed its enrollment link. Ctrl+C stops all
 * of it and removes the temporary data. Without the Electron binary it says so and points at the
 * Chromium harness instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USERS, appArgs, inviteArgs, noBinaryMessage, parseEnrollLink, parseListeningUrl, readyMessage, serverStartArgs } from './demo-plan';
import { findElectronBinary } from './electron-binary';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverBin = path.join(root, 'bin', 'sealcall-server.js');
const display = { hasDisplay: Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']) };

const electron = findElectronBinary();
if (!electron.present) {
  console.error(noBinaryMessage(electron.reason, display));
  process.exit(1);
}
const electronPath = electron.path;

const workDir = mkdtempSync(path.join(tmpdir(), 'sealcall-demo-'));
const dataDir = path.join(workDir, 'server-data');
const children = new Set<ChildProcess>();
let stopping: Promise<void> | undefined;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => { resolve(); }));
}

/**
 * Stops every process the demo started, by its own handle, removes the demo's data, and exits
 * with the code of whatever asked first (Ctrl+C usually stops the windows too, which asks again).
 */
function stopAll(code: number): Promise<void> {
  stopping ??= (async () => {
    const running = [...children];
    for (const child of running) child.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const child of running) child.kill('SIGKILL');
    }, 5_000);
    await Promise.all(running.map(exited));
    clearTimeout(force);
    rmSync(workDir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}

process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));

/** Runs a command to completion with the output shown; rejects unless it succeeds. */
function run(command: string, args: readonly string[]): Promise<void> {
  const child = track(spawn(command, args, { cwd: root, stdio: 'inherit' }));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? 'a signal'}`));
    });
  });
}

/** Runs a command and resolves to its stdout; its stderr only explains a failure. */
function capture(command: string, args: readonly string[]): Promise<string> {
  const child = track(spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(command)} ${args.join(' ')} failed: ${stderr.trim()}`));
    });
  });
}

/** The real server CLI on a free loopback port; resolves to its URL once it says it listens. */
function startServer(): Promise<string> {
  const log = createWriteStream(path.join(workDir, 'server.log'));
  const server = track(spawn(process.execPath, serverStartArgs(serverBin, dataDir), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
  server.stderr?.pipe(log);
  let stdout = '';
  return new Promise((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = parseListeningUrl(stdout);
      if (url !== undefined) resolve(url);
    });
    server.on('exit', (code) => {
      if (stopping === undefined) reject(new Error(`the demo server stopped (exit ${code ?? 'by signal'}); see ${path.join(workDir, 'server.log')}`));
    });
  });
}

async function main(): Promise<void> {
  console.log('Building Sealcall…');
  await run('npm', ['run', 'build']);
  mkdirSync(dataDir);
  const serverUrl = await startServer();
  const apps: ChildProcess[] = [];
  for (const user of DEMO_USERS) {
    const link = parseEnrollLink(await capture(process.execPath, inviteArgs(serverBin, user, dataDir)));
    if (link === undefined) throw new Error(`sealcall-server invite printed no link for ${user.id}`);
    const profile = path.join(workDir, `profile-${user.id}`);
    mkdirSync(profile);
    const log = createWriteStream(path.join(workDir, `app-${user.id}.log`));
    const app = track(spawn(electronPath, appArgs(profile, link), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
    app.stdout?.pipe(log);
    app.stderr?.pipe(log);
    apps.push(app);
  }
  console.log(readyMessage(serverUrl, dataDir));
  // Both windows closed: the demo is over.
  await Promise.all(apps.map(exited));
  await stopAll(0);
}

main().catch((error: unknown) => {
  console.error(`npm run demo: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
