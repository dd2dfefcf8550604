import type { SettingsView } from '../../shared/ipc';
import type { SettingsPatch } from '../../shared/settings-schema';
import { matchDevice, type DeviceKind, type DeviceOption } from './device-match';
import type { DeviceLists } from './use-media-devices';

export type ResolvedDevices = Record<DeviceKind, string>;

/** Which settings keys remember the choice of each kind: the id and, for when it changes, the label. */
const KEYS = {
  audioinput: ['audioInputId', 'audioInputLabel'],
  videoinput: ['videoInputId', 'videoInputLabel'],
  audiooutput: ['audioOutputId', 'audioOutputLabel'],
} as const satisfies Record<DeviceKind, readonly [keyof SettingsPatch, keyof SettingsPatch]>;

/** The device in use for each kind now, from the remembered choice and what is plugged in. */
export function resolveDevices(values: SettingsView['values'] | undefined, lists: DeviceLists): ResolvedDevices {
  const resolve = (kind: DeviceKind) => {
    const [idKey, labelKey] = KEYS[kind];
    return matchDevice(lists[kind], values?.[idKey], values?.[labelKey]);
  };
  return { audioinput: resolve('audioinput'), videoinput: resolve('videoinput'), audiooutput: resolve('audiooutput') };
}

/** The change that remembers a choice, id and label both; the system default forgets it. */
export function deviceChoicePatch(kind: DeviceKind, option: DeviceOption | null): SettingsPatch {
  const [idKey, labelKey] = KEYS[kind];
  return { [idKey]: option?.id ?? null, [labelKey]: option?.label ?? null };
}
