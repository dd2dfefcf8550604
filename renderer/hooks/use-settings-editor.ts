import { useEffect, useState } from 'react';
import type { SealcallBridge, SettingsView } from '../../shared/ipc';
import type { SettingsPatch, UserSettings } from '../../shared/settings-schema';
import { describeIpcError } from './ipc-error';
import { useSettings } from './host-values';
import type { HostValue } from './use-host-value';

export interface SettingsEditor {
  loaded: HostValue<SettingsView>;
  /** The settings with the changes still on their way to the core: a control shows its new state at once. */
  values: UserSettings | undefined;
  /** Saves a change; resolves with what went wrong, or null. */
  save: (patch: SettingsPatch) => Promise<string | null>;
}

/**
 * The settings as a form edits them. The core's settings.changed stays the truth; a change shows
 * at once and falls back to the core's value if it was refused.
 */
export function useSettingsEditor(bridge: SealcallBridge): SettingsEditor {
  const loaded = useSettings(bridge);
  const [pending, setPending] = useState<SettingsPatch>({});
  const base = loaded.status === 'ready' ? loaded.value.values : undefined;
  // null forgets the choice: the core's answer tells which default applies, so it is not guessed here.
  const values = base === undefined ? undefined : withPending(base, pending);
  // A change leaves the overlay once the core's view agrees with it (settings.changed may come
  // before or after the answer to settings.set).
  useEffect(() => {
    if (base === undefined) return;
    setPending((current) => without(current, (key, value) => (value ?? undefined) === base[key]));
  }, [base]);

  const save = async (patch: SettingsPatch): Promise<string | null> => {
    setPending((current) => ({ ...current, ...patch }));
    try {
      await bridge.invoke('settings.set', patch);
      return null;
    } catch (error) {
      setPending((current) => without(current, (key, value) => value === patch[key]));
      return describeIpcError(error, 'Saving failed.').message;
    }
  };
  return { loaded, values, save };
}

/** The patch minus the entries `drop` picks; the same object when nothing is dropped, so React skips the update. */
function without(patch: SettingsPatch, drop: (key: keyof SettingsPatch, value: SettingsPatch[keyof SettingsPatch]) => boolean): SettingsPatch {
  const entries = Object.entries(patch) as [keyof SettingsPatch, SettingsPatch[keyof SettingsPatch]][];
  const kept = entries.filter(([key, value]) => !drop(key, value));
  return kept.length === entries.length ? patch : Object.fromEntries(kept);
}

function withPending(base: UserSettings, pending: SettingsPatch): UserSettings {
  const shown: UserSettings = { ...base };
  for (const [key, value] of Object.entries(pending)) if (value !== null) Object.assign(shown, { [key]: value });
  return shown;
}
