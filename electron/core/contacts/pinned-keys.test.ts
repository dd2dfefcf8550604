import { describe, expect, it } from 'vitest';
import { PinnedKeys } from './pinned-keys';

describe('pinned keys', () => {
  it('pins a key at first sight and accepts it again', () => {
    const pins = new PinnedKeys();
    expect(pins.observe('bob', 'KEY1', 1)).toBe('new');
    expect(pins.observe('bob', 'KEY1', 2)).toBe('same');
    expect(pins.get('bob')).toMatchObject({ identityKey: 'KEY1', firstSeenAt: 1, keyChanged: false, verifiedAt: null });
  });

  it('flags a changed key and clears verified', () => {
    const pins = new PinnedKeys();
    pins.observe('bob', 'KEY1', 1);
    pins.setVerified('bob', true, 5);
    expect(pins.get('bob')?.verifiedAt).toBe(5);
    expect(pins.observe('bob', 'KEY2', 9)).toBe('changed');
    expect(pins.get('bob')).toMatchObject({ identityKey: 'KEY2', keyChanged: true, verifiedAt: null, changedAt: 9 });
  });

  it('settles a key change by verifying, or by acknowledging without verifying', () => {
    const pins = new PinnedKeys();
    pins.observe('bob', 'KEY1', 1);
    pins.observe('bob', 'KEY2', 2);
    expect(pins.acknowledgeKeyChange('bob', 'KEY1')).toBe(false);
    expect(pins.get('bob')).toMatchObject({ keyChanged: true });
    expect(pins.acknowledgeKeyChange('bob', 'KEY2')).toBe(true);
    expect(pins.get('bob')).toMatchObject({ keyChanged: false, verifiedAt: null });
    pins.observe('bob', 'KEY3', 3);
    pins.setVerified('bob', true, 4);
    expect(pins.get('bob')).toMatchObject({ keyChanged: false, verifiedAt: 4 });
  });

  it('round-trips through its list, as the store saves it', () => {
    const pins = new PinnedKeys();
    pins.observe('bob', 'KEY1', 1);
    pins.setVerified('bob', true, 2);
    const again = new PinnedKeys(pins.list());
    expect(again.get('bob')).toEqual(pins.get('bob'));
    expect(again.setVerified('nobody', true, 3)).toBeUndefined();
  });
});
