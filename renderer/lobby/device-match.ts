/** A device as a picker offers it. The id '' stands for the system default. */
export interface DeviceOption {
  id: string;
  label: string;
}

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

export const SYSTEM_DEFAULT = '';

/**
 * The device to use for a remembered choice: the same id while it is still there; else the
 * device with the same label (ids change when a headset is plugged in again, or after the browser
 * forgets them); else the system default.
 */
export function matchDevice(options: readonly DeviceOption[], id: string | undefined, label: string | undefined): string {
  if (id !== undefined && id !== SYSTEM_DEFAULT && options.some((option) => option.id === id)) return id;
  if (label !== undefined && label !== '') {
    const sameLabel = options.find((option) => option.label === label);
    if (sameLabel !== undefined) return sameLabel.id;
  }
  return SYSTEM_DEFAULT;
}

const UNNAMED: Record<DeviceKind, string> = { audioinput: 'Microphone', videoinput: 'Camera', audiooutput: 'Speaker' };

/**
 * The choices of one kind from enumerateDevices. Chromium lists the OS defaults again as
 * 'default' and 'communications'; the pickers have their own "System default", so those go.
 * Labels are empty until the user has allowed access: a numbered name stands in.
 */
export function optionsOf(devices: readonly MediaDeviceInfo[], kind: DeviceKind): DeviceOption[] {
  return devices
    .filter((device) => device.kind === kind && device.deviceId !== '' && device.deviceId !== 'default' && device.deviceId !== 'communications')
    .map((device, index) => ({ id: device.deviceId, label: device.label === '' ? `${UNNAMED[kind]} ${index + 1}` : device.label }));
}
