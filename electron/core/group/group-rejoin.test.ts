import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomCallId } from '../../../server/test-support/harness.fixture';
import { openProxiedCores, type ProxiedCores } from '../../../e2e/harness/proxied-group-cores';

/*
 * A member whose link to the server drops (docs/protocol.md, "A member whose connection drops"):
 * back within the grace, its app takes its old place and the call goes on at the same epoch; back
 * after it, the group has gone on without it, and its app ends the call and says why, instead of
 * sitting in a call of one with the keys of a group that removed it. Real cores, a real server
 * behind a proxy that can cut one user's link.
 */

const GRACE_MS = 3000;
let company: ProxiedCores;

beforeAll(async () => {
  company = await openProxiedCores(['alice', 'bob', 'carol'], [], ['--call-grace', `${String(GRACE_MS)}ms`]);
}, 90_000);

afterAll(async () => {
  await company.close();
});

afterEach(() => {
  company.proxy.divertFrom('bob', [], () => undefined);
  for (const c of company.cores()) {
    const group = c.groups.current();
    if (group !== undefined && (group.state === 'active' || group.state === 'joining')) c.groups.leave(group.groupId);
  }
});

/** Alice's call with Bob and Carol, both in: its id, at epoch 2. */
async function callOfThree(): Promise<string> {
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((id) => company.core(id));
  if (alice === undefined || bob === undefined || carol === undefined) throw new Error('missing core');
  const groupId = randomCallId();
  await alice.groups.create({ groupId, invitees: ['bob', 'carol'], media: 'audio', fingerprint: alice.fingerprint });
  for (const [index, joiner] of [bob, carol].entries()) {
    await joiner.view(groupId, (view) => view.state === 'incoming', 'incoming');
    joiner.groups.accept(groupId, joiner.fingerprint);
    const members = [alice, bob, carol].slice(0, index + 2);
    await Promise.all(members.map((member) => member.keys(groupId, index + 1)));
  }
  return groupId;
}

describe('a member whose link drops', () => {
  it('back within the grace: in its old place, and it goes on with the group as before', async () => {
    const groupId = await callOfThree();
    const bob = company.core('bob');
    const viewsBefore = bob.viewsOf(groupId).length;
    expect(company.proxy.disconnect('bob')).toBe(1);
    // The server's answer to its rejoin (group.joined) is one more view, still active.
    await vi.waitFor(() => { expect(bob.viewsOf(groupId).length).toBeGreaterThan(viewsBefore); }, { timeout: 30_000, interval: 50 });
    company.core('alice').groups.leave(groupId);
    const left = await bob.view(groupId, (view) => view.epoch === 3, 'the rekey after Alice left');
    expect({ state: left.state, members: left.members.map((member) => member.userId) }).toEqual({ state: 'active', members: ['bob', 'carol'] });
  }, 60_000);

  it('back after the grace: the others rekey without it, and its app ends the call as `disconnected`', async () => {
    const groupId = await callOfThree();
    // Bob's app reconnects at once, but its rejoin is held back: to the server it stays away.
    const held: Record<string, unknown>[] = [];
    company.proxy.divertFrom('bob', ['group.join'], (message) => held.push(message));
    expect(company.proxy.disconnect('bob')).toBe(1);
    for (const id of ['alice', 'carol']) {
      const after = await company.core(id).view(groupId, (view) => view.epoch === 3, 'the rekey that drops Bob');
      expect(after.members.map((member) => member.userId), `${id} goes on without Bob`).toEqual(['alice', 'carol']);
    }
    expect(held, 'what Bob asked for on his return').toEqual([expect.objectContaining({ type: 'group.join', groupId, rejoin: true })]);
    expect(company.core('bob').viewsOf(groupId).at(-1)?.state, 'Bob, not yet told').toBe('active');

    // His next return reaches the server: he is told he is out, and his app ends the call.
    company.proxy.divertFrom('bob', [], () => undefined);
    expect(company.proxy.disconnect('bob')).toBe(1);
    const ended = await company.core('bob').view(groupId, (view) => view.state === 'ended', 'ended');
    expect(ended.endReason).toBe('disconnected');
    expect(company.core('bob').keysOf(groupId).map((keys) => keys.epoch), 'Bob never had the keys of the epoch without him').not.toContain(3);
  }, 60_000);
});
