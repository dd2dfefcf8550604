import { describe, expect, it } from 'vitest';
import { GroupSession } from './group-session';
import { fetchKeyPackage, makeUsers, signedInvite, user } from './group-session.fixture';

describe('size probe', () => {
  it('measures', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `user-${String(i).padStart(2, '0')}-${'x'.repeat(54)}`);
    const users = await makeUsers(ids);
    const owner = user(users, ids[0]!);
    const invite = await signedInvite(owner, 'g'.repeat(43), ids.slice(1));
    const session = await GroupSession.create({ groupId: 'g'.repeat(43), owner: owner.userId, self: owner, pinnedKey: owner.pinnedKey }, invite);
    const out = await session.commitAdd(ids.slice(1).map((id) => fetchKeyPackage(user(users, id))));
    console.log('commit', out.commit.length, 'welcome', out.welcome?.length, 'kp', fetchKeyPackage(user(users, ids[1]!)).keyPackage.length);
    expect(out.commit.length).toBeGreaterThan(0);
  }, 120_000);
});
