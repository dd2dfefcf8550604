import { randomBytes } from 'node:crypto';

/*
 * The three secrets the Sealcall server shares with its Janus (docs/deployment.md, "Janus for
 * meetings"), one `name=value` line each in a file only the server and Janus's config read:
 * - api_secret: lets the server use the Janus API without a token (clients never get it);
 * - token_auth_secret: the HMAC key of the join tokens the server signs for clients;
 * - admin_key: VideoRoom's key for creating rooms and RTP forwarders.
 */

export interface JanusSecrets {
  apiSecret: string;
  tokenAuthSecret: string;
  adminKey: string;
}

const NAMES = { api_secret: 'apiSecret', token_auth_secret: 'tokenAuthSecret', admin_key: 'adminKey' } as const;

/** Letters, digits, '-' and '_' only: the values go into Janus's jcfg between double quotes. */
const VALUE = /^[A-Za-z0-9_-]{32,256}$/;

export function parseJanusSecrets(text: string): JanusSecrets {
  const found: Partial<Record<keyof JanusSecrets, string>> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    const name = line.slice(0, equals);
    const value = line.slice(equals + 1);
    if (equals <= 0 || !(name in NAMES)) throw new Error(`janus secrets file, line ${index + 1}: expected api_secret=, token_auth_secret= or admin_key=`);
    // A value is never echoed: the line number is enough to find it.
    if (!VALUE.test(value)) throw new Error(`janus secrets file, line ${index + 1}: the value must be 32 to 256 letters, digits, '-' or '_'`);
    const key = NAMES[name as keyof typeof NAMES];
    if (found[key] !== undefined) throw new Error(`janus secrets file, line ${index + 1}: ${name} is given twice`);
    found[key] = value;
  }
  const { apiSecret, tokenAuthSecret, adminKey } = found;
  if (apiSecret === undefined || tokenAuthSecret === undefined || adminKey === undefined) {
    throw new Error('janus secrets file: api_secret, token_auth_secret and admin_key are all needed');
  }
  if (new Set([apiSecret, tokenAuthSecret, adminKey]).size !== 3) throw new Error('janus secrets file: the three secrets must differ');
  return { apiSecret, tokenAuthSecret, adminKey };
}

export function newJanusSecrets(): JanusSecrets {
  const fresh = () => randomBytes(32).toString('base64url');
  return { apiSecret: fresh(), tokenAuthSecret: fresh(), adminKey: fresh() };
}

export function formatJanusSecrets(secrets: JanusSecrets): string {
  return `api_secret=${secrets.apiSecret}\ntoken_auth_secret=${secrets.tokenAuthSecret}\nadmin_key=${secrets.adminKey}\n`;
}

/** Janus's jcfg files as shipped in deploy/janus/, with the placeholders replaced. */
export function renderJanusConfig(template: string, secrets: JanusSecrets): string {
  return template
    .replaceAll('@API_SECRET@', secrets.apiSecret)
    .replaceAll('@TOKEN_AUTH_SECRET@', secrets.tokenAuthSecret)
    .replaceAll('@ADMIN_KEY@', secrets.adminKey);
}
