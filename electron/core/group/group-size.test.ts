import { describe, expect, it } from 'vitest';
import { MAX_COMMIT_BYTES, MAX_GROUP_MEMBERS, MAX_SIGNED_INVITE_BYTES, MAX_WELCOME_BYTES } from '../../../shared/protocol';
import { fromBase64Url } from '../../../shared/crypto/bytes';
import { GroupSession } from './group-session';
import { fetchKeyPackage, makeUsers, signedInvite, user } from './group-session.fixture';
import { encodeInviteField } from './invite-wire';

/*
 * The protocol's size caps (shared/protocol/group.ts) against real ts-mls: the owner adds
 * everyone else of a full group in one commit, whose commit and Welcome the server must take, and
 * the signed invite naming them all with the longest user ids.
 */

describe('a group of the largest size', () => {
  it('adds 49 members in one commit whose commit and Welcome fit the caps', async () => {
    const ids = Array.from({ length: MAX_GROUP_MEMBERS }, (_, index) => `member-${String(index).padStart(2, '0')}.${'x'.repeat(54)}`);
    const users = await makeUsers(ids);
    const [ownerId, ...inviteeIds] = ids;
    if (ownerId === undefined) throw new Error('no owner');
    const owner = user(users, ownerId);
    const groupId = 'g'.repeat(43);
    const invite = await signedInvite(owner, groupId, inviteeIds);
    const session = await GroupSession.create({ groupId, owner: ownerId, self: owner, pinnedKey: owner.pinnedKey }, invite);
    const outgoing = await session.commitAdd(inviteeIds.map((id) => fetchKeyPackage(user(users, id))));
    expect(outgoing.welcomeTo).toEqual(inviteeIds);
    expect(outgoing.commit.length).toBeLessThanOrEqual(MAX_COMMIT_BYTES);
    expect(outgoing.welcome?.length ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(MAX_WELCOME_BYTES);
    // The joiners open the one Welcome, each with its own KeyPackage, into the same epoch.
    const welcome = outgoing.welcome ?? new Uint8Array(0);
    const joiner = user(users, inviteeIds[inviteeIds.length - 1] ?? '');
    const joined = await GroupSession.join({ groupId, owner: ownerId, self: joiner, pinnedKey: joiner.pinnedKey }, welcome, joiner.keyPackages, [invite]);
    expect(joined.members()).toHaveLength(MAX_GROUP_MEMBERS);
    session.wipe();
    joined.wipe();
  }, 120_000);

  it('signs an invite naming 49 invitees of 64 characters that fits its cap', () => {
    const longest = (index: number) => `${String(index).padStart(2, '0')}${'y'.repeat(62)}`;
    const field = encodeInviteField({
      groupId: 'G'.repeat(43),
      owner: longest(99),
      invitees: Array.from({ length: MAX_GROUP_MEMBERS - 1 }, (_, index) => longest(index)),
      media: 'video',
      issuedAt: Date.now(),
      upgrade: { callId: 'C'.repeat(22), tag: new Uint8Array(32) },
    });
    expect(fromBase64Url(field).length).toBeLessThanOrEqual(MAX_SIGNED_INVITE_BYTES);
  });
});
