import { describe, expect, it } from 'vitest';
import { matchDevice, optionsOf, SYSTEM_DEFAULT } from './device-match';

const headset = { id: 'id-headset', label: 'USB Headset' };
const webcam = { id: 'id-webcam', label: 'HD Webcam' };

function info(kind: MediaDeviceKind, deviceId: string, label: string): MediaDeviceInfo {
  return { kind, deviceId, label, groupId: 'g', toJSON: () => ({}) };
}

describe('matchDevice', () => {
  it('keeps the remembered id while that device is there', () => {
    expect(matchDevice([webcam, headset], 'id-headset', 'USB Headset')).toBe('id-headset');
  });

  it('finds a re-plugged device by its label when its id changed', () => {
    expect(matchDevice([webcam, { id: 'new-id', label: 'USB Headset' }], 'id-headset', 'USB Headset')).toBe('new-id');
  });

  it('falls back to the system default when neither id nor label is there', () => {
    expect(matchDevice([webcam], 'id-headset', 'USB Headset')).toBe(SYSTEM_DEFAULT);
    expect(matchDevice([webcam], undefined, undefined)).toBe(SYSTEM_DEFAULT);
  });

  it('does not match an empty label to an unnamed device', () => {
    expect(matchDevice([{ id: 'x', label: '' }], 'gone', '')).toBe(SYSTEM_DEFAULT);
  });
});

describe('optionsOf', () => {
  it('keeps one kind, drops the OS default aliases, and names unlabelled devices', () => {
    const devices = [
      info('audioinput', 'default', 'Default - USB Headset'),
      info('audioinput', 'communications', 'Communications - USB Headset'),
      info('audioinput', 'id-headset', 'USB Headset'),
      info('audioinput', 'id-2', ''),
      info('videoinput', 'id-webcam', 'HD Webcam'),
    ];
    expect(optionsOf(devices, 'audioinput')).toEqual([
      { id: 'id-headset', label: 'USB Headset' },
      { id: 'id-2', label: 'Microphone 2' },
    ]);
    expect(optionsOf(devices, 'videoinput')).toEqual([webcam]);
    expect(optionsOf(devices, 'audiooutput')).toEqual([]);
  });
});
