import { describe, expect, it } from 'vitest';
import { groupCallLimit } from './use-group-flow';

describe('groupCallLimit', () => {
  it('is what the server said at sign-in: 50 with an SFU for meetings, 8 without', () => {
    expect(groupCallLimit({ state: 'online', groupCallMax: 50 })).toBe(50);
    expect(groupCallLimit({ state: 'online', groupCallMax: 8 })).toBe(8);
  });

  it('is a mesh of 8 when the server is too old to say, or we are not signed in', () => {
    expect(groupCallLimit({ state: 'online' })).toBe(8);
    expect(groupCallLimit({ state: 'offline', retryInMs: 1000 })).toBe(8);
    expect(groupCallLimit({ state: 'connecting' })).toBe(8);
    expect(groupCallLimit(null)).toBe(8);
  });
});
