import { describe, expect, it } from 'vitest';
import { expectThrows } from './expect-rejects.fixture';
import { encodeGroupInvite, MAX_GROUP_MEMBERS, signGroupInvite, verifyGroupInvite, type GroupInvite } from './group-invite';
import { generateIdentityKeyPair, signAs, verifyAs } from './identity';

const invite: GroupInvite = { groupId: 'g-1', owner: 'alice', invitees: ['bob', 'carol'], media: 'video', issuedAt: 1_700_000_000_000 };

describe('group invites', () => {
  it('verifies under the owner key, for exactly what was signed', async () => {
    const owner = await generateIdentityKeyPair();
    const signature = await signGroupInvite(owner.secretKey, invite);
    expect(await verifyGroupInvite(owner.publicKey, invite, signature)).toBe(true);
    expect(await verifyGroupInvite(owner.publicKey, { ...invite, invitees: ['bob', 'carol', 'mallory'] }, signature)).toBe(false);
    expect(await verifyGroupInvite(owner.publicKey, { ...invite, groupId: 'g-2' }, signature)).toBe(false);
    expect(await verifyGroupInvite(owner.publicKey, { ...invite, media: 'audio' }, signature)).toBe(false);
    const other = await generateIdentityKeyPair();
    expect(await verifyGroupInvite(other.publicKey, invite, signature)).toBe(false);
  });

  it('is its own signature domain', async () => {
    const owner = await generateIdentityKeyPair();
    const asInvite = await signGroupInvite(owner.secretKey, invite);
    expect(await verifyAs(owner.publicKey, 'call-invite', encodeGroupInvite(invite), asInvite)).toBe(false);
    const asCall = await signAs(owner.secretKey, 'call-invite', encodeGroupInvite(invite));
    expect(await verifyGroupInvite(owner.publicKey, invite, asCall)).toBe(false);
  });

  it('refuses lists no owner would sign', async () => {
    expectThrows(() => encodeGroupInvite({ ...invite, invitees: [] }), 'invalid-input');
    expectThrows(() => encodeGroupInvite({ ...invite, invitees: Array.from({ length: MAX_GROUP_MEMBERS }, (_, index) => `user-${String(index)}`) }), 'invalid-input');
    expect(encodeGroupInvite({ ...invite, invitees: Array.from({ length: MAX_GROUP_MEMBERS - 1 }, (_, index) => `user-${String(index)}`) }).length).toBeGreaterThan(0);
    expectThrows(() => encodeGroupInvite({ ...invite, invitees: ['bob', 'bob'] }), 'invalid-input');
    expectThrows(() => encodeGroupInvite({ ...invite, invitees: ['alice'] }), 'invalid-input');
    expectThrows(() => encodeGroupInvite({ ...invite, issuedAt: -1 }), 'invalid-input');
    const owner = await generateIdentityKeyPair();
    expect(await verifyGroupInvite(owner.publicKey, { ...invite, invitees: [] }, new Uint8Array(64))).toBe(false);
  });
});
