import type { UserSettings } from '../../shared/settings-schema';
import type { MediaKind } from '../workers/frame-crypto-messages';
import type { CapturePermission, MediaPermissions } from './media-permissions';

export type DeviceChoice = Pick<UserSettings, 'audioInputId' | 'audioInputLabel' | 'videoInputId' | 'videoInputLabel'>;

export class MediaAccessError extends Error {
  override readonly name = 'MediaAccessError';
}

/**
 * The chosen device's id when it is still there; else the device with the chosen label (ids can
 * change when a headset is plugged in again); else the system default.
 */
async function resolveDevice(kind: MediaKind, id: string | undefined, label: string | undefined): Promise<string | undefined> {
  if ((id === undefined || id === '') && (label === undefined || label === '')) return undefined;
  const inputs = (await navigator.mediaDevices.enumerateDevices()).filter((device) => device.kind === `${kind}input`);
  if (id !== undefined && id !== '' && inputs.some((device) => device.deviceId === id)) return id;
  return inputs.find((device) => label !== undefined && label !== '' && device.label === label)?.deviceId;
}

async function constraintFor(kind: MediaKind, devices: DeviceChoice): Promise<MediaTrackConstraints> {
  const id = await resolveDevice(
    kind,
    kind === 'audio' ? devices.audioInputId : devices.videoInputId,
    kind === 'audio' ? devices.audioInputLabel : devices.videoInputLabel,
  );
  const device: MediaTrackConstraints = id === undefined ? {} : { deviceId: { exact: id } };
  return kind === 'audio'
    ? { ...device, echoCancellation: true, noiseSuppression: true, autoGainControl: true }
    : { ...device, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
}

function describe(error: unknown, wanted: string): MediaAccessError {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new MediaAccessError(`Sealcall may not use your ${wanted}. Allow it in your system's privacy settings, then try again.`);
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new MediaAccessError(`No ${wanted} was found. Check that it is plugged in.`);
  if (name === 'NotReadableError' || name === 'AbortError') {
    return new MediaAccessError(`Your ${wanted} is busy or not working. Close other apps that use it, then try again.`);
  }
  return new MediaAccessError(`Your ${wanted} could not be started.`);
}

/**
 * Fails at once when the OS or the user has already refused a device this call needs, so that a
 * call whose capture runs alongside its set-up is not placed (or answered) only to be dropped.
 * Where the Permissions API cannot tell, capture itself finds out. Both kinds are read together,
 * from the states `permissions` keeps (see media-permissions.ts).
 */
export async function refuseIfDenied(kinds: { audio: boolean; video: boolean }, permissions: MediaPermissions): Promise<void> {
  const wanted: [CapturePermission, boolean, string][] = [
    ['microphone', kinds.audio, 'microphone'],
    ['camera', kinds.video, 'camera'],
  ];
  const refused = await Promise.all(wanted.map(async ([name, needed]) => needed && (await permissions.denied(name))));
  const first = wanted.find((_entry, index) => refused[index] === true);
  if (first !== undefined) throw describe(new DOMException('denied', 'NotAllowedError'), first[2]);
}

/** One capture of the kinds asked for; an empty stream when neither is. */
export async function captureMedia(kinds: { audio: boolean; video: boolean }, devices: DeviceChoice): Promise<MediaStream> {
  if (!kinds.audio && !kinds.video) return new MediaStream();
  const wanted = kinds.audio && kinds.video ? 'camera and microphone' : kinds.audio ? 'microphone' : 'camera';
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: kinds.audio ? await constraintFor('audio', devices) : false,
      video: kinds.video ? await constraintFor('video', devices) : false,
    });
  } catch (error) {
    throw describe(error, wanted);
  }
}
