import path from 'node:path';
import { describeIssue } from '../storage/describe-issue';
import { SerialQueue } from '../storage/file-lock';
import { writeJsonDocument, type JsonDocumentSpec } from '../storage/json-store';
import { readOrMoveAside, type FileRecovery } from '../storage/quarantine';
import { EMPTY_ENTERPRISE_CONFIG, isLocked, MANAGED_SETTING_KEYS, type EnterpriseConfig, type ManagedSettingKey } from './enterprise-config';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  SETTINGS_FILE_VERSION,
  settingsFileSchema,
  settingsPatchSchema,
  type SettingKey,
  type SettingsFile,
  type SettingsPatch,
  type UserChoices,
  type UserSettings,
} from '../../../shared/settings-schema';

export const SETTINGS_FILE_NAME = 'settings.json';

/** Where a value comes from, lowest precedence first; the UI marks the last two as set by the organization. */
export type SettingSource = 'default' | 'user' | 'enterprise-default' | 'enterprise-locked';

export interface SettingsDescription {
  readonly values: UserSettings;
  readonly sources: Readonly<Record<SettingKey, SettingSource>>;
  /** Keys the user cannot change. */
  readonly locked: readonly SettingKey[];
}

export type SettingsErrorCode = 'locked' | 'invalid';

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly code: SettingsErrorCode,
    /** The setting at fault. */
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SettingsStore {
  readonly path: string;
  /** Set when the settings file was damaged, moved aside and replaced by the defaults: tell the user. */
  readonly recovery: FileRecovery | null;
  /** defaults < enterprise defaults < the user's choices < enterprise locks. */
  effective(): UserSettings;
  describe(): SettingsDescription;
  /** Persists the change, then returns the new state; refuses ('locked') to change a locked key. */
  set(patch: SettingsPatch): Promise<SettingsDescription>;
}

export interface SettingsStoreOptions {
  readonly dataDir: string;
  readonly enterprise?: EnterpriseConfig;
  /** For the time stamp of a moved-aside damaged file. */
  readonly now?: () => number;
}

function isManaged(key: SettingKey): key is ManagedSettingKey {
  return (MANAGED_SETTING_KEYS as readonly SettingKey[]).includes(key);
}

/** Layer-by-layer, so that each key's source is known. */
function resolve(enterprise: EnterpriseConfig, choices: UserChoices): SettingsDescription {
  const values: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  const sources = {} as Record<SettingKey, SettingSource>;
  const locked: SettingKey[] = [];
  for (const key of SETTING_KEYS) {
    sources[key] = 'default';
    const managed = isManaged(key) ? enterprise[key] : undefined;
    if (managed !== undefined && isManaged(key) && isLocked(enterprise, key)) {
      values[key] = managed;
      sources[key] = 'enterprise-locked';
      locked.push(key);
      continue;
    }
    if (managed !== undefined) {
      values[key] = managed;
      sources[key] = 'enterprise-default';
    }
    if (choices[key] !== undefined) {
      values[key] = choices[key];
      sources[key] = 'user';
    }
  }
  // Every key of UserSettings was filled from the defaults or a checked layer.
  return { values: values as UserSettings, sources, locked };
}

function checkPatch(patch: unknown): SettingsPatch {
  const parsed = settingsPatchSchema.safeParse(patch);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const { field, problem } = issue === undefined ? { field: '(settings)', problem: 'is not valid' } : describeIssue(issue, patch);
  throw new SettingsError('invalid', field, `the setting "${field}" ${problem}`);
}

export async function openSettingsStore(options: SettingsStoreOptions): Promise<SettingsStore> {
  const enterprise = options.enterprise ?? EMPTY_ENTERPRISE_CONFIG;
  const spec: JsonDocumentSpec<SettingsFile> = {
    path: path.join(options.dataDir, SETTINGS_FILE_NAME),
    schema: settingsFileSchema,
    version: SETTINGS_FILE_VERSION,
  };
  const { value, recovery } = await readOrMoveAside(spec, options.now);
  // A choice stored before the admin locked that key stays in the file (the lock may go away
  // again) but never reaches effective(): resolve() applies locks last.
  let choices: UserChoices = value?.settings ?? {};
  const queue = new SerialQueue();

  return {
    path: spec.path,
    recovery,
    effective: () => resolve(enterprise, choices).values,
    describe: () => resolve(enterprise, choices),

    async set(patch) {
      const checked = checkPatch(patch);
      return await queue.run(async () => {
        const current = resolve(enterprise, choices);
        const next = new Map<SettingKey, unknown>(Object.entries(choices) as [SettingKey, unknown][]);
        for (const key of SETTING_KEYS) {
          if (!Object.hasOwn(checked, key)) continue;
          const wanted = checked[key];
          if (current.sources[key] === 'enterprise-locked') {
            // Re-sending the locked value (a form that posts every field) or forgetting an old
            // choice changes nothing the user sees, so it is not refused.
            if (wanted === null || wanted === undefined) next.delete(key);
            else if (wanted !== current.values[key]) {
              throw new SettingsError('locked', key, `"${key}" is set by your organization and cannot be changed here`);
            }
            continue;
          }
          if (wanted === null) next.delete(key);
          else if (wanted !== undefined) next.set(key, wanted);
        }
        // writeJsonDocument checks the document against the schema before it touches the disk.
        const file = { version: SETTINGS_FILE_VERSION, settings: Object.fromEntries(next) } as SettingsFile;
        await writeJsonDocument(spec, file);
        choices = file.settings;
        return resolve(enterprise, choices);
      });
    },
  };
}
