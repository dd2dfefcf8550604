import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { readJsonDocument } from '../storage/json-store';
import { StoreError, type StoreErrorCode } from '../storage/store-error';
import { enterpriseConfigPath } from './enterprise-config-path';
import { parseServerUrlField, parseUpdateUrlField, UrlFieldError } from './service-url';
import { themeSchema, type SettingKey } from '../../../shared/settings-schema';
import { loadSodium } from '../../../shared/crypto/sodium';
import { UPDATE_PUBLIC_KEY_PATTERN } from '../../../shared/update/update-signature';

export { enterpriseConfigPath } from './enterprise-config-path';

/** User settings an admin may preset (a default the user can change) or lock (the user cannot). */
export const MANAGED_SETTING_KEYS = ['relayOnly', 'ringtone', 'theme', 'startMuted', 'startCameraOff'] as const satisfies readonly SettingKey[];
export type ManagedSettingKey = (typeof MANAGED_SETTING_KEYS)[number];

/** `serverUrl` locked means enrollment links pointing elsewhere are refused. */
export const LOCKABLE_KEYS = ['serverUrl', ...MANAGED_SETTING_KEYS] as const;
export type LockableKey = (typeof LOCKABLE_KEYS)[number];

/** Good values, quoted in every refusal of a field so that the admin sees what to write. */
const CONFIG_EXAMPLES = {
  serverUrl: 'wss://sealcall.corp.example/ws',
  updateUrl: 'https://updates.corp.example/sealcall/',
  updatePublicKey: 'voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=',
} as const;

function forExample(field: keyof typeof CONFIG_EXAMPLES): string {
  return ` (for example "${CONFIG_EXAMPLES[field]}")`;
}

function urlField(field: 'serverUrl' | 'updateUrl', parseField: (text: string) => string) {
  return z
    .string()
    .max(2048)
    .transform((text, ctx) => {
      try {
        return parseField(text);
      } catch (error) {
        if (!(error instanceof UrlFieldError)) throw error;
        ctx.addIssue({ code: 'custom', message: `${error.message}${forExample(field)}` });
        return z.NEVER;
      }
    });
}

const KEY_ADVICE = `must be the 44-character key 'sealcall-server update-key' printed, copied whole${forExample('updatePublicKey')}`;

/** The company's update-signing key (docs/deployment.md, "Signed updates"): its shape here, its curve point on load. */
const updatePublicKeyField = z.string().max(64, KEY_ADVICE).regex(UPDATE_PUBLIC_KEY_PATTERN, KEY_ADVICE);

/**
 * A key of the right shape can still be no Ed25519 key (mangled in copying, or a small-order
 * point): it would load, then refuse every release with a signature error that points at the feed
 * rather than at this file.
 */
async function refuseInvalidUpdateKey(file: string, config: EnterpriseConfig): Promise<void> {
  if (config.updatePublicKey === undefined) return;
  const sodium = await loadSodium();
  if (!sodium.crypto_core_ed25519_is_valid_point(sodium.from_base64(config.updatePublicKey, sodium.base64_variants.ORIGINAL))) {
    throw new ConfigError('invalid', file, 'updatePublicKey', `${file}: "updatePublicKey" is not an Ed25519 public key: it ${KEY_ADVICE}`);
  }
}

/**
 * The system-wide config file. Strict: a misspelt key is an error, not a silently ignored
 * setting, because an admin who locks "relayonly" believes relay-only is enforced.
 *
 *   { "serverUrl": "wss://sealcall.corp.example/ws", "relayOnly": true, "theme": "dark",
 *     "updateUrl": "https://updates.corp.example/sealcall/",
 *     "updatePublicKey": "voA2r31PHZrHIN3lzivyX+ZEngLE954ZEVTEl30oXj8=", "locked": ["serverUrl", "relayOnly"] }
 *
 * Every setting present is a default the user may change, unless `locked` names it.
 */
export const enterpriseConfigSchema = z
  .strictObject({
    serverUrl: urlField('serverUrl', parseServerUrlField).optional(),
    updateUrl: urlField('updateUrl', parseUpdateUrlField).optional(),
    updatePublicKey: updatePublicKeyField.optional(),
    relayOnly: z.boolean().optional(),
    ringtone: z.boolean().optional(),
    theme: themeSchema.optional(),
    startMuted: z.boolean().optional(),
    startCameraOff: z.boolean().optional(),
    locked: z.array(z.enum(LOCKABLE_KEYS)).max(32).optional(),
  })
  .superRefine((config, ctx) => {
    config.locked?.forEach((key, index) => {
      if (config[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['locked', index], message: `locks "${key}", but the file does not set "${key}"` });
      }
    });
  });
export type EnterpriseConfig = z.infer<typeof enterpriseConfigSchema>;

export const EMPTY_ENTERPRISE_CONFIG: EnterpriseConfig = Object.freeze({});

export type ConfigErrorCode = Exclude<StoreErrorCode, 'unsupported-version'> | 'insecure';

/** A config file Sealcall will not run with; the message names the file and the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    readonly file: string,
    readonly field: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A config file anyone can write enforces nothing: any local user could unlock a setting or change the server. */
async function refuseWorldWritable(file: string): Promise<void> {
  if (process.platform === 'win32') return;
  const mode = await stat(file).then(
    (stats) => stats.mode,
    () => undefined,
  );
  if (mode !== undefined && (mode & 0o002) !== 0) {
    throw new ConfigError('insecure', file, undefined, `${file}: is writable by every user; make it writable only by administrators (chmod 644)`);
  }
}

/**
 * The enterprise config: empty when there is no file. An unreadable or invalid file is a
 * ConfigError, never ignored, since ignoring it would quietly drop the locks IT set.
 */
export async function loadEnterpriseConfig(file: string = enterpriseConfigPath()): Promise<EnterpriseConfig> {
  await refuseWorldWritable(file);
  let config: EnterpriseConfig;
  try {
    config = (await readJsonDocument({ path: file, schema: enterpriseConfigSchema, maxBytes: 64 * 1024 })) ?? EMPTY_ENTERPRISE_CONFIG;
  } catch (error) {
    if (!(error instanceof StoreError) || error.code === 'unsupported-version') throw error;
    throw new ConfigError(error.code, error.file, error.field, error.message, { cause: error });
  }
  await refuseInvalidUpdateKey(file, config);
  return config;
}

export function isLocked(config: EnterpriseConfig, key: LockableKey): boolean {
  return config.locked?.includes(key) ?? false;
}

/** The server IT configured, if any, and whether enrollment must use exactly that one. */
export function enterpriseServerUrl(config: EnterpriseConfig): { readonly url: string; readonly locked: boolean } | undefined {
  return config.serverUrl === undefined ? undefined : { url: config.serverUrl, locked: isLocked(config, 'serverUrl') };
}
