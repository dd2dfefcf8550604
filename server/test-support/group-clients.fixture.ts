import { toBase64Url } from '../../shared/crypto/bytes';
import { PROTOCOL_VERSION, type ServerMessage } from '../../shared/protocol';
import { randomCallId, type EnrolledUser } from './harness.fixture';

/*
 * Group calls over raw protocol clients, for the server's own tests: the server relays the owner's
 * signed invite and the MLS messages without reading them, so stand-in bytes do.
 */

const v = PROTOCOL_VERSION;

/** `length` bytes of `fill`, as the wire carries binary fields. */
export const standInBytes = (length: number, fill: number): string => toBase64Url(new Uint8Array(length).fill(fill));

/**
 * `owner`'s group call: `joiners` join one by one, each join seen by every member so far;
 * `pending` are rung and stay out. Resolves with its id and the `group.rung` the owner got.
 */
export async function groupOverClients(
  owner: EnrolledUser,
  joiners: readonly EnrolledUser[],
  pending: readonly EnrolledUser[] = [],
): Promise<{ groupId: string; rung: Extract<ServerMessage, { type: 'group.rung' }> }> {
  const groupId = randomCallId();
  const invitees = [...joiners, ...pending].map((user) => user.userId);
  owner.client.send({ v, type: 'group.create', groupId, media: { audio: true, video: true }, invitees, invite: standInBytes(200, 1), signature: standInBytes(64, 2) });
  const rung = await owner.client.next('group.rung', (m) => m.groupId === groupId);
  const members = [owner];
  for (const joiner of joiners) {
    await joiner.client.next('group.invite', (m) => m.groupId === groupId);
    joiner.client.send({ v, type: 'group.join', groupId });
    members.push(joiner);
    for (const member of members) await member.client.next('group.joined', (m) => m.groupId === groupId && m.userId === joiner.userId);
  }
  for (const invitee of pending) await invitee.client.next('group.invite', (m) => m.groupId === groupId);
  return { groupId, rung };
}
