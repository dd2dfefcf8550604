import { readFileSync } from 'node:fs';
import { DEFAULT_MESH_MAX, type SfuConfig } from '../sfu/sfu-rooms';
import { parseJanusSecrets } from '../sfu/janus-secrets';
import { CommandError, UsageError } from './io';
import { MAX_MESH_MEMBERS } from '../../shared/protocol';
import { durationOption, integerOption, stringOption, type OptionSpec, type OptionValues } from './options';

/** `start`'s options for meetings over Janus (docs/deployment.md, "Janus for meetings"). */
export const JANUS_OPTIONS = {
  janusUrl: {
    name: 'janus-url',
    kind: 'string',
    env: 'SEALCALL_JANUS_URL',
    placeholder: 'URL',
    help: "Janus's HTTP API for this server, on loopback (http://127.0.0.1:8088/janus)",
  },
  janusPublicUrl: {
    name: 'janus-public-url',
    kind: 'string',
    env: 'SEALCALL_JANUS_PUBLIC_URL',
    placeholder: 'URL',
    help: "Janus's API as the apps reach it (https://, through the TLS proxy); default --janus-url, loopback only",
  },
  janusSecretsFile: {
    name: 'janus-secrets-file',
    kind: 'string',
    env: 'SEALCALL_JANUS_SECRETS_FILE',
    placeholder: 'FILE',
    help: 'api_secret, token_auth_secret and admin_key shared with Janus',
  },
  janusTokenTtl: {
    name: 'janus-token-ttl',
    kind: 'duration',
    env: 'SEALCALL_JANUS_TOKEN_TTL',
    default: '10m',
    placeholder: 'DUR',
    help: 'lifetime of the Janus tokens in an SFU seat (15s to 24h; the apps ask again at half of it)',
  },
  meshMax: {
    name: 'mesh-max',
    kind: 'integer',
    env: 'SEALCALL_MESH_MAX',
    default: String(DEFAULT_MESH_MAX),
    placeholder: 'N',
    help: `a group call for more people than this goes through Janus (2 to ${MAX_MESH_MEMBERS}); without --janus-url calls stay a mesh of at most ${MAX_MESH_MEMBERS}`,
  },
} satisfies Record<string, OptionSpec>;

/** Meetings of up to this many publishers in one Janus room. */
const MAX_PUBLISHERS = 50;
/** Per publisher, video: VP8 simulcast's top layer at 720p fits. */
const VIDEO_BITRATE = 1_500_000;

function loopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost');
}

export function readJanus(values: OptionValues): SfuConfig | undefined {
  const apiUrl = stringOption(values, JANUS_OPTIONS.janusUrl);
  const publicUrl = stringOption(values, JANUS_OPTIONS.janusPublicUrl);
  const file = stringOption(values, JANUS_OPTIONS.janusSecretsFile);
  const meshMax = integerOption(values, JANUS_OPTIONS.meshMax, 2, MAX_MESH_MEMBERS) ?? DEFAULT_MESH_MAX;
  if (apiUrl === undefined) {
    if (publicUrl !== undefined || file !== undefined) throw new UsageError('--janus-public-url and --janus-secrets-file go with --janus-url');
    return undefined;
  }
  let api: URL;
  try {
    api = new URL(apiUrl);
  } catch {
    throw new UsageError(`--janus-url '${apiUrl}' is not a URL`);
  }
  // The server sends Janus its API secret and admin key in every request: loopback only.
  if (!loopbackHttp(api)) throw new UsageError(`--janus-url '${apiUrl}' must be http:// on loopback (127.0.0.1, ::1 or localhost)`);
  const clients = publicUrl ?? apiUrl;
  let reached: URL;
  try {
    reached = new URL(clients);
  } catch {
    throw new UsageError(`--janus-public-url '${clients}' is not a URL`);
  }
  if (reached.protocol !== 'https:' && !loopbackHttp(reached)) throw new UsageError(`--janus-public-url '${clients}' must be https:// (plain http:// only on loopback)`);
  if (file === undefined) throw new UsageError('--janus-url needs --janus-secrets-file (docs/deployment.md, "Janus for meetings")');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(`cannot read the Janus secrets file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let secrets;
  try {
    secrets = parseJanusSecrets(text);
  } catch (error) {
    throw new CommandError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // At least 15 s: the app asks again at half the lifetime, and the server gives one seat per 5 s.
  const tokenTtlMs = durationOption(values, JANUS_OPTIONS.janusTokenTtl, 15_000, 86_400_000);
  if (tokenTtlMs === undefined) throw new UsageError('--janus-token-ttl has no value');
  return { apiUrl: apiUrl.replace(/\/$/, ''), publicUrl: clients.replace(/\/$/, ''), secrets, tokenTtlMs, maxPublishers: MAX_PUBLISHERS, bitrate: VIDEO_BITRATE, meshMax };
}
