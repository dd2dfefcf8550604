/**
 * A member's state as the plaintext of its MLS application message (docs/protocol.md, "Member
 * state"): a format byte, then one bit per flag. Two bytes, so every state is the same size and
 * the server, which sees only the ciphertext's length, learns nothing from it.
 */
import type { GroupMemberState } from '../../../shared/ipc';

const FORMAT = 1;
const FLAGS = ['muted', 'cameraOff', 'sharing', 'handRaised'] as const;

export function encodeMemberState(state: GroupMemberState): Uint8Array {
  let bits = 0;
  FLAGS.forEach((flag, index) => {
    if (state[flag]) bits |= 1 << index;
  });
  return Uint8Array.of(FORMAT, bits);
}

/** The state, or null for anything but this format with only known flags set. */
export function decodeMemberState(bytes: Uint8Array): GroupMemberState | null {
  if (bytes.length !== 2 || bytes[0] !== FORMAT) return null;
  const bits = bytes[1] ?? 0;
  if (bits >> FLAGS.length !== 0) return null;
  const flag = (index: number) => (bits & (1 << index)) !== 0;
  return { muted: flag(0), cameraOff: flag(1), sharing: flag(2), handRaised: flag(3) };
}
