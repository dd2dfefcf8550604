import { describe, expect, it } from 'vitest';
import { trayModel } from './tray-menu';

const idle = { active: null, keepDisplayAwake: false } as const;
const inCall = { active: { callId: 'c4ll1d-0123456789abcdefghij', peerName: 'Bob' }, keepDisplayAwake: true } as const;

describe('trayModel', () => {
  it('shows presence and the everyday actions', () => {
    expect(trayModel('online', idle)).toEqual({
      tooltip: 'Sealcall — Online',
      items: [
        { kind: 'status', label: 'Online' },
        { kind: 'separator' },
        { kind: 'action', action: 'show', label: 'Show Sealcall' },
        { kind: 'separator' },
        { kind: 'action', action: 'quit', label: 'Quit Sealcall' },
      ],
    });
  });

  it.each([
    ['offline', 'Offline'],
    ['connecting', 'Connecting…'],
    ['busy', 'Busy'],
  ] as const)('labels %s', (presence, label) => {
    expect(trayModel(presence, idle).items[0]).toEqual({ kind: 'status', label });
  });

  it('offers hang-up during a call and says with whom', () => {
    const model = trayModel('busy', inCall);
    expect(model.tooltip).toBe('Sealcall — In a call with Bob');
    expect(model.items).toContainEqual({ kind: 'action', action: 'hang-up', label: 'Hang Up' });
  });
});
