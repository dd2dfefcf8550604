import { describe, expect, it } from 'vitest';
import { decodeMemberState, encodeMemberState } from './member-state-wire';

describe('a member state as its MLS plaintext', () => {
  it('is two bytes for every state, and reads back as written', () => {
    for (let bits = 0; bits < 16; bits += 1) {
      const state = { muted: (bits & 1) !== 0, cameraOff: (bits & 2) !== 0, sharing: (bits & 4) !== 0, handRaised: (bits & 8) !== 0 };
      const bytes = encodeMemberState(state);
      expect([...bytes]).toEqual([1, bits]);
      expect(decodeMemberState(bytes)).toEqual(state);
    }
  });

  it('refuses another format, another length, or a flag it does not know', () => {
    for (const bytes of [[], [1], [2, 0], [1, 16], [1, 0, 0], [0, 1]]) expect(decodeMemberState(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBeNull();
  });
});
