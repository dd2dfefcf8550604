import type { SealcallBridge } from '../../shared/ipc';
import { useSettings } from '../hooks/host-values';
import { resolveDevices } from './use-device-choice';
import { useMediaDevices } from './use-media-devices';

/** The speaker the user chose, found again by label if its id changed; '' for the system default. */
export function useSpeakerId(bridge: SealcallBridge): string {
  const settings = useSettings(bridge);
  const lists = useMediaDevices(null);
  return resolveDevices(settings.status === 'ready' ? settings.value.values : undefined, lists).audiooutput;
}
