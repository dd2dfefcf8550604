import type { GroupSender, MediaKind } from './frame-crypto-messages';
import type { GroupKeysMessage } from './group-call-keys';

/** The part of an encoded frame the pipeline touches. */
export interface FakeFrame {
  data: ArrayBuffer;
}

export const opusFrame = (fill: number): FakeFrame => ({ data: Uint8Array.from({ length: 60 }, (_, i) => (i * 7 + fill) & 0xff).buffer });
/** A VP8 delta frame (bit 0 of the frame tag set). */
export const vp8Frame = (fill: number): FakeFrame => ({ data: Uint8Array.from({ length: 300 }, (_, i) => (i === 0 ? 0x31 : (i * 3 + fill) & 0xff)).buffer });
export const frameOf = (kind: MediaKind, fill: number): FakeFrame => (kind === 'audio' ? opusFrame(fill) : vp8Frame(fill));
export const copy = (frame: FakeFrame): FakeFrame => ({ data: frame.data.slice(0) });

export const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
export const roster = (indexes: readonly number[]): GroupSender[] => indexes.map((index) => ({ index, userId: USERS[index] ?? `user-${index}` }));
/** The epoch's base key, the same for every member (as the MLS exporter gives it); `salt` makes another group's. */
export const baseKey = (epoch: number, salt = 0) => Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + epoch * 29 + salt + 1) & 0xff);

export function message(epoch: number, ownIndex: number, members: readonly number[], key = baseKey(epoch)): GroupKeysMessage {
  return { type: 'group-keys', epoch, ownIndex, baseKey: key, senders: roster(members) };
}
