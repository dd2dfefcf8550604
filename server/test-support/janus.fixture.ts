import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort, freeUdpRange } from '../../e2e/harness/free-ports';
import { formatJanusSecrets, newJanusSecrets, renderJanusConfig, type JanusSecrets } from '../sfu/janus-secrets';

/*
 * Debian's Janus on loopback for tests, from the config files Sealcall ships (deploy/janus/): a
 * temp config dir with fresh secrets, the HTTP API on a free TCP port and RTP on a free UDP range,
 * both above the ephemeral range where only an explicit bind takes a port. A port another process
 * takes between our check and Janus's bind is retried with others. Used by vitest and by the e2e
 * harness, as e2e/harness/coturn.ts starts coturn.
 */

export const JANUS = '/usr/bin/janus';
const DEPLOY_DIR = path.resolve(import.meta.dirname, '../../deploy/janus');
const CONFIG_FILES = ['janus.jcfg', 'janus.plugin.videoroom.jcfg', 'janus.transport.http.jcfg'] as const;

export interface JanusProcess {
  /** The Janus API over HTTP, e.g. http://127.0.0.1:63012/janus. */
  readonly apiUrl: string;
  readonly rtpPorts: { min: number; max: number };
  readonly secrets: JanusSecrets;
  /** The secrets file the Sealcall server reads (`--janus-secrets-file`). */
  readonly secretsFile: string;
  readonly dir: string;
  readonly logFile: string;
  readonly pid: number;
  /** Stops Janus (SIGTERM, then SIGKILL) and removes its temp dir unless `keepDir`. Safe to call twice. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

/** Why Janus cannot run here, or undefined when it can. */
export function janusMissingReason(): string | undefined {
  if (!existsSync(JANUS)) return `${JANUS} is missing: install Debian's janus (apt-get install -y janus; .ci/run does)`;
  return undefined;
}

/** An HTTP port (TCP) and an RTP range (UDP), each free right now, above the ephemeral range. */
async function pickPorts(rtpSize: number): Promise<{ http: number; rtp: { min: number; max: number } }> {
  return { http: await freeTcpPort(), rtp: await freeUdpRange(rtpSize) };
}

/** The shipped files with this run's secrets, folders, ports and a log of its own. */
function writeConfig(dir: string, secrets: JanusSecrets, http: number, rtp: { min: number; max: number }, serverName: string): void {
  for (const name of CONFIG_FILES) {
    let text = renderJanusConfig(readFileSync(path.join(DEPLOY_DIR, name), 'utf8'), secrets);
    if (name === 'janus.jcfg') {
      text = text
        .replace(/configs_folder = "[^"]*"/, `configs_folder = "${dir}"`)
        .replace(/rtp_port_range = "[^"]*"/, `rtp_port_range = "${rtp.min}-${rtp.max}"`)
        .replace(/server_name = "[^"]*"/, `server_name = "${serverName}"`)
        // Loopback only: host candidates on 127.0.0.1, the browsers under test are on it too.
        .replace(/ice_ignore_list = "[^"]*"/, 'ice_enforce_list = "lo"');
    }
    if (name === 'janus.transport.http.jcfg') text = text.replace(/port = 8088/, `port = ${http}`);
    writeFileSync(path.join(dir, name), text);
  }
}

/** How many starts are tried on fresh ports: another process may take one between our check and Janus's bind. */
const START_ATTEMPTS = 3;

export async function startJanus(options: { rtpPorts?: number } = {}): Promise<JanusProcess> {
  const missing = janusMissingReason();
  if (missing) throw new Error(missing);
  const failures: string[] = [];
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const { http, rtp } = await pickPorts(options.rtpPorts ?? 100);
    const dir = mkdtempSync(path.join(tmpdir(), 'sealcall-janus-'));
    try {
      return await launch(dir, http, rtp);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`Janus did not start in ${START_ATTEMPTS} attempts:\n${failures.join('\n')}`);
}

async function launch(dir: string, http: number, rtp: { min: number; max: number }): Promise<JanusProcess> {
  const secrets = newJanusSecrets();
  const secretsFile = path.join(dir, 'janus-secrets');
  writeFileSync(secretsFile, formatJanusSecrets(secrets), { mode: 0o600 });
  // Its own name: the readiness check must not take another Janus on the same port for ours.
  const serverName = `sealcall-test-${randomBytes(6).toString('hex')}`;
  writeConfig(dir, secrets, http, rtp, serverName);
  const logFile = path.join(dir, 'janus.log');
  const child = spawn(JANUS, ['--configs-folder', dir, '--config', path.join(dir, 'janus.jcfg'), '--log-file', logFile, '--disable-stdout', '--disable-colors'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${JANUS}`);
  const apiUrl = `http://127.0.0.1:${http}/janus`;
  try {
    await waitForInfo(apiUrl, serverName, child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    throw new Error(`Janus did not answer on ${apiUrl}: ${error instanceof Error ? error.message : String(error)}\n${stderr}${log}`, { cause: error });
  }
  let stopping: Promise<void> | undefined;
  return {
    apiUrl,
    rtpPorts: rtp,
    secrets,
    secretsFile,
    dir,
    logFile,
    pid,
    stop: ({ keepDir = false } = {}) => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const force = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
        await exited;
        clearTimeout(force);
        if (!keepDir) rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Ready means answering `info` as this run's Janus, with VideoRoom loaded. */
async function waitForInfo(apiUrl: string, serverName: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`janus exited (${child.exitCode ?? child.signalCode})`);
    try {
      const response = await fetch(apiUrl, { method: 'POST', body: JSON.stringify({ janus: 'info', transaction: 'ready' }), signal: AbortSignal.timeout(2_000) });
      const info: unknown = await response.json();
      if (typeof info === 'object' && info !== null && 'server-name' in info && 'plugins' in info) {
        if (info['server-name'] !== serverName) throw new Error(`another Janus (${String(info['server-name'])}) answers on this port`);
        const plugins = info.plugins;
        if (typeof plugins === 'object' && plugins !== null && 'janus.plugin.videoroom' in plugins) return;
        last = 'VideoRoom not loaded';
      } else last = 'an answer that is not Janus info';
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('another Janus')) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready within ${timeoutMs} ms (${last})`);
}
